import { HEALTHY_AFTER_MS, MAX_DELAY_MS, WatchBackoff } from '../src/runtime/watch-backoff.js';

describe('watch restarts', () => {
  test('when a list fails at once every time (a CRD is missing), then the delay keeps doubling to the cap', () => {
    const b = new WatchBackoff();
    let now = 0;
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      b.connected(now); // client-node reports connect before the failing list
      const d = b.failed(now + 5);
      delays.push(d);
      now += d;
    }
    expect(delays.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(delays.at(-1)).toBe(MAX_DELAY_MS);
  });

  test('when a watch ran healthily before failing, then the next restart is quick again', () => {
    const b = new WatchBackoff();
    for (let i = 0; i < 5; i++) b.failed(i);
    b.connected(10_000);
    expect(b.failed(10_000 + HEALTHY_AFTER_MS)).toBe(1000);
  });
});
