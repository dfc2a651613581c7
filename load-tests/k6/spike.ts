/**
 * A spike: the DSB mix at a base rate, jumping to SPIKE× within 10 s, held for a minute, then
 * back — does latency recover, and do errors stay under 1% through the burst? Open-loop
 * (`ramping-arrival-rate`), so a slow platform sees the full burst instead of fewer requests.
 *
 *   k6 run -e BASE_URL=… -e RATE=50 -e SPIKE=8 load-tests/k6/spike.ts
 */
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import {
  composePost,
  loginSeededUsers,
  pickUser,
  randomUserId,
  readHomeTimeline,
  readUserTimeline,
  tokenOf,
  type SetupData,
} from './lib/flock.ts';

const RATE = Number(__ENV.RATE ?? 50);
const PEAK = RATE * Number(__ENV.SPIKE ?? 8);
const MAX_VUS = Number(__ENV.MAX_VUS ?? 1000);

export const options: Options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: RATE,
      timeUnit: '1s',
      preAllocatedVUs: Math.min(MAX_VUS, PEAK),
      maxVUs: MAX_VUS,
      stages: [
        { target: RATE, duration: '1m' },
        { target: PEAK, duration: '10s' },
        { target: PEAK, duration: '1m' },
        { target: RATE, duration: '10s' },
        { target: RATE, duration: '2m' },
      ],
      gracefulStop: '30s',
    },
  },
  thresholds: {
    'http_req_failed{scenario:spike}': ['rate<0.01'],
    // Looser during a burst; the recovery is read from the time series.
    'http_req_duration{scenario:spike}': ['p(95)<500', 'p(99)<1500'],
    checks: ['rate>0.99'],
  },
  setupTimeout: '10m',
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export function setup(): SetupData {
  return loginSeededUsers();
}

export default function spikeMix(data: SetupData): void {
  const { index } = pickUser(data, exec.vu.idInTest, MAX_VUS);
  const token = tokenOf(data, index);
  const roll = Math.random();
  if (roll < 0.6) readHomeTimeline(token);
  else if (roll < 0.9) readUserTimeline(token, randomUserId());
  else composePost(token);
}
