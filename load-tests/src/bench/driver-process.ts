/**
 * The load driver in its own process, so its CPU never competes with the sidecars that the
 * benchmark process hosts, and so its CPU is not counted as the platform's.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dsbMix, type MixTarget, type MixUser } from './mix.js';
import { runOpenLoop, type OpenLoopResult } from './open-loop.js';

export interface DriveRequest {
  baseUrl: string;
  rate: number;
  durationMs: number;
  users: MixUser[];
  target: MixTarget;
  seed: number;
}

/** Runs one open-loop step in a child process; resolves with its result. */
export function drive(request: DriveRequest): Promise<OpenLoopResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: 'inherit' });
    child.once('message', (result) => resolve(result as OpenLoopResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load driver exited with ${code}`));
    });
    child.send(request);
  });
}

if (process.argv.includes('--child')) {
  process.once('message', (message) => {
    const request = message as DriveRequest;
    void runOpenLoop({
      baseUrl: request.baseUrl,
      rate: request.rate,
      durationMs: request.durationMs,
      plan: dsbMix(request.users, request.target, request.seed),
      seed: request.seed,
    }).then((result) => process.send!(result, () => process.exit(0)));
  });
}
