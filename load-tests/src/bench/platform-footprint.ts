/**
 * The whole running platform, as `npm start` runs it: time from launch to the gateway's first
 * 200, time to a first API answer, and the resident memory of every process it started.
 * Cold = a new data folder (the embedded database is created); warm = the same folder again.
 * Run after `npm run build`: node load-tests/dist/bench/platform-footprint.js
 */
import { PUBLIC_API_PREFIX } from '@flock/kit';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { out } from './print.js';
import { processTree, usage } from './proc.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'runner/dist/cli.js');

async function firstOk(url: string, init?: RequestInit): Promise<Response> {
  for (;;) {
    try {
      const response = await fetch(url, init);
      if (response.ok) return response;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
}

async function run(label: string, dataDir: string): Promise<void> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, '--ports', 'ephemeral', '--data-dir', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const gateway = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /gateway\s+(http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`runner exited with ${code}`)));
  });
  const ready = performance.now();
  await firstOk(`${gateway}/readyz`);
  const gatewayOk = performance.now();
  const name = `u${Date.now()}`;
  const json = { 'content-type': 'application/json' };
  await firstOk(`${gateway}${PUBLIC_API_PREFIX}/auth/register`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({
      username: name,
      email: `${name}@example.com`,
      password: 'correct horse',
    }),
  });
  // A registration answers no id (it must not tell whether the email was new): read the newest user.
  await firstOk(`${gateway}${PUBLIC_API_PREFIX}/users?limit=1`);
  const apiOk = performance.now();
  await sleep(1_000); // let start-up garbage settle before reading memory
  const pids = processTree(child.pid!);
  const rss = pids.map((pid) => usage([pid]).rssBytes / 2 ** 20);
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('exit', resolve));
  const leftovers = pids.filter((pid) => usage([pid]).rssBytes > 0).length;
  out(`${label}:`);
  out(`  runner reports all apps ready   ${((ready - started) / 1000).toFixed(2)} s`);
  out(`  first 200 from the gateway      ${((gatewayOk - started) / 1000).toFixed(2)} s`);
  out(`  first API 200 (register, read)  ${((apiOk - started) / 1000).toFixed(2)} s`);
  out(
    `  RSS of ${pids.length} processes           ${rss.reduce((a, b) => a + b, 0).toFixed(0)} MiB (${rss.map((v) => v.toFixed(0)).join(' + ')})`,
  );
  out(`  processes left after Ctrl-C     ${leftovers}`);
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'flock-footprint-'));
try {
  await run('cold start (new data folder)', dataDir);
  await run('warm start (same data folder)', dataDir);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
