/**
 * A rate ladder: the open-loop driver offers each rate for a step, while the system's processes
 * and the database servers are sampled for CPU and memory; the ladder stops at saturation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { drive } from './driver-process.js';
import type { MixTarget, MixUser } from './mix.js';
import { percentile, type OpenLoopResult } from './open-loop.js';
import { clock, f1, f2, out } from './print.js';
import { usage } from './proc.js';

export const P99_TARGET_MS = 100;

export interface Step {
  rate: number;
  achieved: number;
  failedShare: number;
  p50: number;
  p90: number;
  p99: number;
  byKind: Record<string, { p50: number; p99: number }>;
  /** CPU ms per answered request: the system's own processes, and the database servers. */
  cpuMsPerRequest: number;
  dbCpuMsPerRequest: number;
  rssMiB: number;
  sendLagP99: number;
}

export interface Ladder {
  system: string;
  steps: Step[];
}

export interface LadderRun {
  system: string;
  target: MixTarget;
  baseUrl: string;
  rates: readonly number[];
  stepMs: number;
  /** The system's processes and the database servers', read afresh at every step. */
  pids: () => number[];
  dbPids: () => number[];
  /** The mix's users with live tokens, asked for before every step. */
  users: () => Promise<MixUser[]>;
  /** After every step, with the ladder so far (so a run that fails late keeps its figures). */
  onStep: (ladder: Ladder) => Promise<void>;
}

export async function runLadder(run: LadderRun): Promise<Ladder> {
  const ladder: Ladder = { system: run.system, steps: [] };
  for (const rate of run.rates) {
    const users = await run.users();
    const own = run.pids();
    const db = run.dbPids();
    const before = [usage(own), usage(db)];
    const result = await drive({
      baseUrl: run.baseUrl,
      rate,
      durationMs: run.stepMs,
      users,
      target: run.target,
      seed: rate,
    });
    const after = [usage(own), usage(db)];
    const step = summarizeStep(
      result,
      after[0]!.cpuSeconds - before[0]!.cpuSeconds,
      after[1]!.cpuSeconds - before[1]!.cpuSeconds,
      after[0]!.rssBytes,
    );
    ladder.steps.push(step);
    await run.onStep(ladder);
    printStep(run.system, step, result);
    const saturated = step.p99 > 2000 || step.failedShare > 0.2 || step.achieved < rate * 0.7;
    if (saturated) break;
    await sleep(1000);
  }
  return ladder;
}

/** The highest offered rate whose p99 met the target with under 1% failures. */
export function maxRateWithin(ladder: Ladder | undefined): number {
  let best = NaN;
  for (const s of ladder?.steps ?? []) {
    if (s.p99 <= P99_TARGET_MS && s.failedShare < 0.01) best = s.rate;
  }
  return best;
}

function summarizeStep(
  result: OpenLoopResult,
  cpuSeconds: number,
  dbCpuSeconds: number,
  rssBytes: number,
): Step {
  const all = Object.values(result.latencies).flat();
  const byKind = Object.fromEntries(
    Object.entries(result.latencies).map(([kind, list]) => [
      kind,
      { p50: percentile(list, 50), p99: percentile(list, 99) },
    ]),
  );
  // Failures count as infinitely slow for the percentiles (they never met any target).
  const padded = [...all, ...new Array<number>(result.failed).fill(Infinity)];
  return {
    rate: result.rate,
    achieved: result.ok / (result.durationMs / 1000),
    failedShare: result.sent ? result.failed / result.sent : 0,
    p50: percentile(padded, 50),
    p90: percentile(padded, 90),
    p99: percentile(padded, 99),
    byKind,
    cpuMsPerRequest: (cpuSeconds * 1000) / Math.max(1, result.ok),
    dbCpuMsPerRequest: (dbCpuSeconds * 1000) / Math.max(1, result.ok),
    rssMiB: rssBytes / 2 ** 20,
    sendLagP99: result.sendLagP99,
  };
}

function printStep(system: string, step: Step, result: OpenLoopResult): void {
  const statuses = Object.entries(result.statuses)
    .filter(([s]) => !s.startsWith('2'))
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  out(
    `${clock()} ${system.padEnd(15)} ${String(step.rate).padStart(5)}/s → ${f1(step.achieved).padStart(7)}/s ok, ` +
      `p50 ${f1(step.p50)} p99 ${f1(step.p99)} ms, failed ${(step.failedShare * 100).toFixed(1)}%, ` +
      `CPU ${f2(step.cpuMsPerRequest)} ms/req (+db ${f2(step.dbCpuMsPerRequest)}), RSS ${f1(step.rssMiB)} MiB` +
      `${step.sendLagP99 > 5 ? `, driver lag p99 ${f1(step.sendLagP99)} ms` : ''}${statuses ? `, ${statuses}` : ''}`,
  );
}
