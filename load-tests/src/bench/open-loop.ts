/**
 * An open-loop load driver: requests leave on a fixed schedule (Poisson arrivals at `rate`, like
 * wrk2's `-D exp`) whether or not earlier ones have answered, and each latency is measured from
 * the request's *scheduled* send time. A stalled server therefore shows up as latency instead of
 * silently lowering the offered load (no coordinated omission). Connections come from an undici
 * pool large enough that requests are not queued in the client at the rates we offer; if they
 * are, the queueing is still counted, because the clock starts at the scheduled time.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { Random } from '../seed/prng.js';

export interface PlannedRequest {
  kind: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface OpenLoopOptions {
  baseUrl: string;
  /** Requests per second offered. */
  rate: number;
  durationMs: number;
  /** The i-th request of the run. */
  plan: (index: number) => PlannedRequest;
  connections?: number;
  /** A request not answered this long after its scheduled time counts as failed. */
  timeoutMs?: number;
  seed?: number;
}

export interface OpenLoopResult {
  rate: number;
  durationMs: number;
  sent: number;
  /** Answered with a 2xx. */
  ok: number;
  failed: number;
  /** Latency (ms from the scheduled time) of every answered request, by kind; failures excluded. */
  latencies: Record<string, number[]>;
  statuses: Record<string, number>;
  /** How late the driver itself sent requests (ms after their scheduled time), p99. */
  sendLagP99: number;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pool = new Pool(options.baseUrl, {
    connections: options.connections ?? 256,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 30_000,
  });
  const random = new Random(options.seed ?? 1);
  const meanGapMs = 1000 / options.rate;
  const latencies: Record<string, number[]> = {};
  const statuses: Record<string, number> = {};
  const lags: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();

  const fire = (request: PlannedRequest, scheduledAt: number) => {
    lags.push(performance.now() - scheduledAt);
    sent++;
    const done = pool
      .request({
        method: request.method,
        path: request.path,
        headers: request.headers ?? {},
        ...(request.body === undefined ? {} : { body: request.body }),
      })
      .then(async (response) => {
        await response.body.dump({ limit: 10 * 1024 * 1024 });
        const latency = performance.now() - scheduledAt;
        const status = String(response.statusCode);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (response.statusCode >= 200 && response.statusCode < 300 && latency <= timeoutMs) {
          ok++;
          (latencies[request.kind] ??= []).push(latency);
        } else failed++;
      })
      .catch((error: Error) => {
        const key = `error:${(error as { code?: string }).code ?? error.name}`;
        statuses[key] = (statuses[key] ?? 0) + 1;
        failed++;
      });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  const start = performance.now() + 20;
  const end = start + options.durationMs;
  let nextAt = start;
  let index = 0;
  while (nextAt < end) {
    const wait = nextAt - performance.now();
    if (wait >= 2) await sleep(Math.floor(wait) - 1);
    else if (wait > 0) await new Promise((resolve) => setImmediate(resolve));
    const now = performance.now();
    while (nextAt <= now && nextAt < end) {
      fire(options.plan(index++), nextAt);
      nextAt += random.exponential(meanGapMs);
    }
  }
  // Let the stragglers answer (or time out) before closing.
  const grace = sleep(timeoutMs + 1000).then(() => 'timeout' as const);
  await Promise.race([Promise.allSettled([...inFlight]), grace]);
  failed += inFlight.size;
  await pool.destroy();
  lags.sort((a, b) => a - b);
  return {
    rate: options.rate,
    durationMs: options.durationMs,
    sent,
    ok,
    failed,
    latencies,
    statuses,
    sendLagP99: lags[Math.max(0, Math.ceil(lags.length * 0.99) - 1)] ?? 0,
  };
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}
