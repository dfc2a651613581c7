import { resourceDocuments } from './components/load.js';
import { parseDurationMs } from './components/metadata.js';

/**
 * Dapr `Resiliency` resources (dapr.io/v1alpha1): named policies (timeouts, retries,
 * circuitBreakers) applied to targets: `apps.<appId>` (service invocation),
 * `components.<name>.outbound` (state calls, publish) and `.inbound` (pub/sub delivery to the
 * app). The engine is pure: time and sleeping are injected, so it is unit-tested without waiting.
 */
export interface RetrySpec {
  policy: 'constant' | 'exponential';
  durationMs: number;
  maxIntervalMs: number;
  /** -1 = forever, 0 = no retry. */
  maxRetries: number;
}

export interface BreakerSpec {
  maxRequests: number;
  intervalMs: number;
  timeoutMs: number;
  /** Trips when consecutive failures exceed this (`consecutiveFailures > N`). */
  consecutiveFailures: number;
}

export interface TargetPolicy {
  timeoutMs?: number;
  retry?: RetrySpec;
  circuitBreaker?: BreakerSpec;
}

export interface Resiliency {
  apps: Map<string, TargetPolicy>;
  outbound: Map<string, TargetPolicy>;
  inbound: Map<string, TargetPolicy>;
}

export const emptyResiliency = (): Resiliency => ({
  apps: new Map(),
  outbound: new Map(),
  inbound: new Map(),
});

/** Every `kind: Resiliency` document of the `*.yaml` files in `dir`, merged. */
export async function loadResiliency(dir: string): Promise<Resiliency> {
  const out = emptyResiliency();
  // daprd reads one document per file for Resiliency (the first): one further down a
  // multi-document file is not loaded there, so not here either.
  for (const { resource, file, index } of await resourceDocuments(dir))
    if (resource.kind === 'Resiliency' && index === 0)
      mergeResiliency(out, parseResiliency(resource, file));
  return out;
}

function mergeResiliency(into: Resiliency, from: Resiliency): void {
  for (const k of ['apps', 'outbound', 'inbound'] as const)
    for (const [name, p] of from[k]) into[k].set(name, p);
}

export function parseResiliency(res: Record<string, unknown>, file: string): Resiliency {
  const name = (res.metadata as { name?: string } | undefined)?.name ?? '?';
  const where = `${file} Resiliency "${name}"`;
  const spec = obj(res.spec);
  const policies = obj(spec.policies);
  const duration = (v: unknown, field: string): number => {
    const ms = parseDurationMs(String(v));
    if (ms === undefined) throw new Error(`${where}: ${field} is not a duration: "${String(v)}"`);
    return ms;
  };
  const timeouts = new Map<string, number>();
  for (const [k, v] of Object.entries(obj(policies.timeouts)))
    timeouts.set(k, duration(v, `timeouts.${k}`));
  const retries = new Map<string, RetrySpec>();
  for (const [k, raw] of Object.entries(obj(policies.retries))) {
    const r = obj(raw);
    const policy = String(r.policy ?? 'constant');
    if (policy !== 'constant' && policy !== 'exponential')
      throw new Error(`${where}: retries.${k}.policy must be constant or exponential`);
    const maxRetries = r.maxRetries === undefined ? -1 : Number(r.maxRetries);
    if (!Number.isInteger(maxRetries) || maxRetries < -1)
      throw new Error(`${where}: retries.${k}.maxRetries must be an integer >= -1`);
    retries.set(k, {
      policy,
      durationMs: duration(r.duration ?? '5s', `retries.${k}.duration`),
      maxIntervalMs: duration(r.maxInterval ?? '60s', `retries.${k}.maxInterval`),
      maxRetries,
    });
  }
  const breakers = new Map<string, BreakerSpec>();
  for (const [k, raw] of Object.entries(obj(policies.circuitBreakers))) {
    const c = obj(raw);
    const trip = /^\s*consecutiveFailures\s*>\s*(\d+)\s*$/.exec(String(c.trip ?? ''));
    if (!trip)
      throw new Error(
        `${where}: circuitBreakers.${k}.trip must read "consecutiveFailures > N", got "${String(c.trip)}"`,
      );
    breakers.set(k, {
      maxRequests: Number(c.maxRequests ?? 1),
      intervalMs: duration(c.interval ?? '0s', `circuitBreakers.${k}.interval`),
      timeoutMs: duration(c.timeout ?? '60s', `circuitBreakers.${k}.timeout`),
      consecutiveFailures: Number(trip[1]),
    });
  }
  const target = (raw: unknown, at: string): TargetPolicy => {
    const t = obj(raw);
    const p: TargetPolicy = {};
    const ref = <T>(map: Map<string, T>, key: string): T | undefined => {
      const v = t[key];
      if (v === undefined) return undefined;
      // A timeout may be written inline as a duration instead of a policy name.
      const found = map.get(String(v));
      if (found === undefined && !(key === 'timeout'))
        throw new Error(`${where}: ${at}.${key} names an unknown policy "${String(v)}"`);
      return found;
    };
    const timeout =
      t.timeout === undefined
        ? undefined
        : (ref(timeouts, 'timeout') ?? duration(t.timeout, `${at}.timeout`));
    if (timeout !== undefined) p.timeoutMs = timeout;
    const retry = ref(retries, 'retry');
    if (retry) p.retry = retry;
    const cb = ref(breakers, 'circuitBreaker');
    if (cb) p.circuitBreaker = cb;
    return p;
  };
  const out = emptyResiliency();
  const targets = obj(spec.targets);
  for (const [app, raw] of Object.entries(obj(targets.apps)))
    out.apps.set(app, target(raw, `targets.apps.${app}`));
  for (const [comp, raw] of Object.entries(obj(targets.components))) {
    const c = obj(raw);
    if (c.outbound !== undefined)
      out.outbound.set(comp, target(c.outbound, `targets.components.${comp}.outbound`));
    if (c.inbound !== undefined)
      out.inbound.set(comp, target(c.inbound, `targets.components.${comp}.inbound`));
  }
  return out;
}

/**
 * daprd's exponential backoff (dapr/kit's retry over cenkalti/backoff): `duration` is not used;
 * the interval starts at 0.5 s and grows ×1.5 per attempt up to `maxInterval`, and each wait is
 * drawn within ±50% of it.
 */
const EXPONENTIAL = { initialMs: 500, multiplier: 1.5, jitter: 0.5 };

/** Wait before retry number `attempt` (0-based); `random` in [0, 1) places it in the jitter. */
export function retryDelayMs(spec: RetrySpec, attempt: number, random = Math.random()): number {
  if (spec.policy === 'constant') return spec.durationMs;
  const { initialMs, multiplier, jitter } = EXPONENTIAL;
  const interval = Math.min(spec.maxIntervalMs, initialMs * multiplier ** attempt);
  return interval * (1 - jitter + 2 * jitter * random);
}

export function retriesLeft(spec: RetrySpec | undefined, attempt: number): boolean {
  if (!spec) return false;
  return spec.maxRetries < 0 || attempt < spec.maxRetries;
}

export class CircuitOpenError extends Error {
  constructor() {
    super('circuit breaker is open');
  }
}

/** gobreaker semantics, as Dapr uses them: closed → open → half-open → closed. */
export class CircuitBreaker {
  private state: 'closed' | 'open' | 'half-open' = 'closed';
  private failures = 0;
  private halfOpenRequests = 0;
  private halfOpenSuccesses = 0;
  private openedAt = 0;
  private windowStart: number;

  constructor(
    private readonly spec: BreakerSpec,
    private readonly now: () => number,
  ) {
    this.windowStart = now();
  }

  get current(): 'closed' | 'open' | 'half-open' {
    this.tick();
    return this.state;
  }

  /** Throws CircuitOpenError when no request may go through now. */
  acquire(): void {
    this.tick();
    if (this.state === 'open') throw new CircuitOpenError();
    if (this.state === 'half-open') {
      if (this.halfOpenRequests >= this.spec.maxRequests) throw new CircuitOpenError();
      this.halfOpenRequests++;
    }
  }

  success(): void {
    this.tick();
    if (this.state === 'half-open') {
      if (++this.halfOpenSuccesses >= this.spec.maxRequests) this.reset('closed');
    } else this.failures = 0;
  }

  failure(): void {
    this.tick();
    if (this.state === 'half-open') return this.open();
    if (++this.failures > this.spec.consecutiveFailures) this.open();
  }

  private tick(): void {
    const t = this.now();
    if (this.state === 'open' && t - this.openedAt >= this.spec.timeoutMs) this.reset('half-open');
    if (
      this.state === 'closed' &&
      this.spec.intervalMs > 0 &&
      t - this.windowStart >= this.spec.intervalMs
    ) {
      this.failures = 0;
      this.windowStart = t;
    }
  }

  private open(): void {
    this.state = 'open';
    this.openedAt = this.now();
  }

  private reset(state: 'closed' | 'half-open'): void {
    this.state = state;
    this.failures = 0;
    this.halfOpenRequests = 0;
    this.halfOpenSuccesses = 0;
    this.windowStart = this.now();
  }
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export class TimeoutError extends Error {}

/**
 * Runs calls under one target's policy: each attempt bounded by the timeout, failures retried
 * per the retry policy, all of it behind the circuit breaker (an open circuit fails fast and is
 * not retried into).
 */
export class PolicyRunner {
  private readonly breaker: CircuitBreaker | undefined;

  constructor(
    readonly policy: TargetPolicy,
    private readonly clock: Clock = realClock,
  ) {
    if (policy.circuitBreaker)
      this.breaker = new CircuitBreaker(policy.circuitBreaker, () => clock.now());
  }

  /** `permanent` errors (e.g. an etag mismatch) are neither retried nor counted as failures. */
  async run<T>(
    fn: () => Promise<T>,
    permanent: (err: unknown) => boolean = () => false,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.breaker?.acquire();
        const result = await this.withTimeout(fn);
        this.breaker?.success();
        return result;
      } catch (err) {
        if (permanent(err)) {
          this.breaker?.success();
          throw err;
        }
        if (!(err instanceof CircuitOpenError)) this.breaker?.failure();
        if (!retriesLeft(this.policy.retry, attempt)) throw err;
        await this.clock.sleep(retryDelayMs(this.policy.retry as RetrySpec, attempt));
      }
    }
  }

  private withTimeout<T>(fn: () => Promise<T>): Promise<T> {
    const ms = this.policy.timeoutMs;
    if (ms === undefined || ms <= 0) return fn();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms`)), ms);
      fn().then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}
