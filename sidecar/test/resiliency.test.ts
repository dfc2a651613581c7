import { parseDocument } from 'yaml';
import {
  CircuitBreaker,
  CircuitOpenError,
  parseResiliency,
  PolicyRunner,
  retryDelayMs,
  type Clock,
} from '../src/resiliency.js';

const YAML = `
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: flock
spec:
  policies:
    timeouts:
      quick: 500ms
    retries:
      steady: { policy: constant, duration: 100ms, maxRetries: 2 }
      backoff: { policy: exponential, duration: 100ms, maxInterval: 1s, maxRetries: -1 }
    circuitBreakers:
      fragile: { maxRequests: 1, interval: 10s, timeout: 30s, trip: consecutiveFailures > 2 }
  targets:
    apps:
      users: { timeout: quick, retry: steady, circuitBreaker: fragile }
    components:
      users-store:
        outbound: { retry: steady, circuitBreaker: fragile }
      pubsub:
        inbound: { retry: backoff, timeout: 2s }
`;

/** A clock that only moves when told to; sleeping advances it. */
function fakeClock(): Clock & { advance(ms: number): void; slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    advance: (ms) => (t += ms),
    slept,
  };
}

describe('Resiliency policy engine', () => {
  const res = parseResiliency(parseDocument(YAML).toJS() as Record<string, unknown>, 'r.yaml');

  it('when the YAML names policies per target, then apps, outbound and inbound targets resolve them', () => {
    expect(res.apps.get('users')).toEqual({
      timeoutMs: 500,
      retry: { policy: 'constant', durationMs: 100, maxIntervalMs: 60_000, maxRetries: 2 },
      circuitBreaker: {
        maxRequests: 1,
        intervalMs: 10_000,
        timeoutMs: 30_000,
        consecutiveFailures: 2,
      },
    });
    expect(res.outbound.get('users-store')?.retry?.maxRetries).toBe(2);
    expect(res.inbound.get('pubsub')).toMatchObject({ timeoutMs: 2000, retry: { maxRetries: -1 } });
  });

  it('when a policy name is unknown or a trip is malformed, then parsing fails naming the field', () => {
    const bad =
      (targets: unknown, policies: unknown = {}) =>
      () =>
        parseResiliency({ metadata: { name: 'x' }, spec: { policies, targets } }, 'f.yaml');
    expect(bad({ apps: { a: { retry: 'nope' } } })).toThrow(
      /targets.apps.a.retry names an unknown policy "nope"/,
    );
    expect(bad({}, { circuitBreakers: { c: { trip: 'failures > 1' } } })).toThrow(
      /circuitBreakers.c.trip/,
    );
  });

  it('when retrying, then constant waits its duration and exponential runs as daprd’s: 0.5 s ×1.5 up to maxInterval, ±50%', () => {
    const steady = res.apps.get('users')!.retry!;
    const backoff = res.inbound.get('pubsub')!.retry!; // duration 100ms: not used by exponential
    expect([0, 1, 2].map((a) => retryDelayMs(steady, a))).toEqual([100, 100, 100]);
    const middle = [0, 1, 2, 3].map((a) => retryDelayMs(backoff, a, 0.5));
    expect(middle).toEqual([500, 750, 1000, 1000]);
    expect(retryDelayMs(backoff, 1, 0)).toBe(375);
    expect(retryDelayMs(backoff, 1, 0.999)).toBeCloseTo(1124.25);
  });

  it('when a call keeps failing, then it is tried 1 + maxRetries times with the policy waits', async () => {
    const clock = fakeClock();
    const runner = new PolicyRunner({ retry: res.apps.get('users')!.retry! }, clock);
    let calls = 0;
    await expect(
      runner.run(async () => {
        calls++;
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    expect(calls).toBe(3);
    expect(clock.slept).toEqual([100, 100]);
  });

  it('when an error is permanent (an etag mismatch), then it is not retried', async () => {
    const runner = new PolicyRunner({ retry: res.apps.get('users')!.retry! }, fakeClock());
    let calls = 0;
    await expect(
      runner.run(
        async () => {
          calls++;
          throw new Error('409');
        },
        () => true,
      ),
    ).rejects.toThrow();
    expect(calls).toBe(1);
  });

  it('when consecutive failures exceed the trip, then the breaker opens, half-opens after timeout and closes on success', () => {
    const clock = fakeClock();
    const cb = new CircuitBreaker(res.apps.get('users')!.circuitBreaker!, clock.now);
    for (let i = 0; i < 3; i++) {
      cb.acquire();
      cb.failure();
    }
    expect(cb.current).toBe('open');
    expect(() => cb.acquire()).toThrow(CircuitOpenError);
    clock.advance(30_000);
    expect(cb.current).toBe('half-open');
    cb.acquire();
    expect(() => cb.acquire()).toThrow(CircuitOpenError); // maxRequests 1 in half-open
    cb.success();
    expect(cb.current).toBe('closed');
  });

  it('when a half-open probe fails, then the breaker opens again; the interval clears old failures', () => {
    const clock = fakeClock();
    const cb = new CircuitBreaker(res.apps.get('users')!.circuitBreaker!, clock.now);
    for (let i = 0; i < 3; i++) cb.failure();
    clock.advance(30_000);
    cb.acquire();
    cb.failure();
    expect(cb.current).toBe('open');
    const fresh = new CircuitBreaker(res.apps.get('users')!.circuitBreaker!, clock.now);
    fresh.failure();
    fresh.failure();
    clock.advance(10_000);
    fresh.failure(); // the earlier two were in a previous interval
    expect(fresh.current).toBe('closed');
  });

  it('when the breaker is open, then the runner fails fast without calling', async () => {
    const clock = fakeClock();
    const runner = new PolicyRunner(
      { circuitBreaker: res.apps.get('users')!.circuitBreaker! },
      clock,
    );
    const failing = async () => {
      throw new Error('down');
    };
    for (let i = 0; i < 3; i++) await runner.run(failing).catch(() => undefined);
    let called = false;
    await expect(
      runner.run(async () => {
        called = true;
      }),
    ).rejects.toThrow(CircuitOpenError);
    expect(called).toBe(false);
  });
});
