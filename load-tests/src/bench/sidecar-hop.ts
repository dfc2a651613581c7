/**
 * What one sidecar hop costs: the same state read through Flock's sidecar and through the real
 * daprd (HTTP API, as a service makes it; daprd when one is installed), and straight to Postgres
 * (the query both run), interleaved in one run so every path sees the same machine load.
 * Run: node load-tests/dist/bench/sidecar-hop.js [--real-postgres URL]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createLogger } from '@flock/kit';
import { componentYaml, startSidecar } from '@flock/sidecar';
import {
  findDaprd,
  startDaprd,
  startEmbeddedPostgresProcess,
  type DaprdProcess,
} from '@flock/runner';
import { ms, summarize, timed } from './stats.js';

const { values } = parseArgs({
  options: {
    'real-postgres': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    iterations: { type: 'string', default: '3000' },
  },
});
const iterations = Number(values.iterations);
const out = (line: string) => process.stdout.write(`${line}\n`);

/** daprd with the same v2 store as the sidecar's; undefined when no daprd is installed. */
async function startBenchDaprd(
  connectionString: string,
  prefix: string,
): Promise<{ daprd: DaprdProcess; stop(): Promise<void> } | undefined> {
  const binary = findDaprd();
  if (!binary) return undefined;
  const dir = await mkdtemp(path.join(tmpdir(), 'flock-hop-'));
  await writeFile(
    path.join(dir, 'store.yaml'),
    componentYaml('store', 'state.postgresql', { connectionString, tablePrefix: prefix }, 'v2'),
  );
  const daprd = await startDaprd({
    daprd: binary,
    appId: 'bench',
    httpPort: 0,
    resourcesPath: dir,
    cwd: dir,
    logFile: path.join(dir, 'daprd.log'),
    logger: createLogger('sidecar-hop', 'warn'),
  });
  try {
    await daprd.started;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    daprd,
    stop: async () => {
      await daprd.stop(5_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function measure(label: string, connectionString: string): Promise<void> {
  const prefix = `bench_${randomUUID().slice(0, 8)}_`;
  const sidecar = await startSidecar({
    appId: 'bench',
    httpPort: 0,
    logLevel: 'warn',
    components: [
      {
        name: 'store',
        type: 'state.postgresql',
        version: 'v2',
        metadata: [
          { name: 'connectionString', value: connectionString },
          { name: 'tablePrefix', value: prefix },
        ],
        scopes: [],
        file: 'bench',
      },
    ],
  });
  const pool = new pg.Pool({ connectionString, max: 1 });
  const real = await startBenchDaprd(connectionString, prefix).catch((error: unknown) => {
    out(`${label}: daprd could not run here (${(error as Error).message})`);
    return undefined;
  });
  try {
    const value = { id: randomUUID(), username: 'bench_user', bio: 'x'.repeat(200) };
    const saved = await fetch(`${sidecar.url}/v1.0/state/store`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ key: 'user:1', value }]),
    });
    if (saved.status !== 204) throw new Error(`save answered ${saved.status}`);
    const read = (base: string) => async () => {
      const response = await fetch(`${base}/v1.0/state/store/user:1`);
      if (response.status !== 200) throw new Error(`get answered ${response.status}`);
      await response.arrayBuffer();
    };
    const direct = () =>
      pool.query(
        `SELECT value, etag FROM ${prefix}state WHERE key = $1 AND (expires_at IS NULL OR expires_at > now())`,
        ['bench||user:1'],
      );
    const paths = [
      { name: 'straight to Postgres', run: direct, samples: [] as number[] },
      { name: "through Flock's sidecar", run: read(sidecar.url), samples: [] as number[] },
      ...(real
        ? [{ name: 'through daprd', run: read(real.daprd.url), samples: [] as number[] }]
        : []),
    ];
    for (let i = 0; i < 200; i++) await Promise.all(paths.map((p) => p.run())); // warm up
    for (let i = 0; i < iterations; i++) {
      // Rotate the order so no path always runs on a freshly woken event loop.
      for (let j = 0; j < paths.length; j++) {
        const p = paths[(i + j) % paths.length]!;
        p.samples.push(await timed(p.run));
      }
    }
    const [base, ...hops] = paths.map((p) => ({ name: p.name, ...summarize(p.samples) }));
    out(`${label}: ${iterations} sequential reads of one 300-byte item`);
    out(`  ${base!.name.padEnd(24)} p50 ${ms(base!.p50)}  p99 ${ms(base!.p99)}`);
    for (const hop of hops) {
      out(
        `  ${hop.name.padEnd(24)} p50 ${ms(hop.p50)}  p99 ${ms(hop.p99)}  ` +
          `(the hop adds p50 ${ms(hop.p50 - base!.p50)}, p99 ${ms(hop.p99 - base!.p99)}; ` +
          `p50 ratio ${(hop.p50 / base!.p50).toFixed(2)}x)`,
      );
    }
    if (!findDaprd()) out('  (no daprd installed: bash scripts/dapr/build-daprd.sh adds it)');
    await pool.query(`DROP TABLE IF EXISTS ${prefix}state`);
  } finally {
    await pool.end();
    await sidecar.stop();
    await real?.stop();
  }
}

const embedded = await startEmbeddedPostgresProcess();
try {
  await measure('embedded Postgres (PGlite)', embedded.connectionString);
} finally {
  await embedded.stop();
}
await measure('real Postgres 15 on 127.0.0.1:5432', values['real-postgres']!);
