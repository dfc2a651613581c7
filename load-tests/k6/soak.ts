/**
 * A soak: the extended mix at a moderate constant arrival rate for hours (default 2 h) — leaks,
 * growing timelines and queues show up as drift in latency and memory. Access tokens (15 min)
 * are refreshed by the VU that owns each user.
 *
 *   k6 run -e BASE_URL=… -e RATE=60 -e DURATION=2h load-tests/k6/soak.ts
 */
import type { Options } from 'k6/options';
import { thresholds } from './lib/flock.ts';
import extendedMix, { setup } from './extended-mix.ts';

const RATE = Number(__ENV.RATE ?? 60);
const MAX_VUS = Number(__ENV.MAX_VUS ?? 400);

export const options: Options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: __ENV.DURATION ?? '2h',
      preAllocatedVUs: Math.min(MAX_VUS, Math.max(10, RATE)),
      maxVUs: MAX_VUS,
      gracefulStop: '30s',
    },
  },
  thresholds: thresholds('soak'),
  setupTimeout: '10m',
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export { setup };
export default extendedMix;
