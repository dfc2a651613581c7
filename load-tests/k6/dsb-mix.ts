/**
 * DeathStarBench's social-network mix: 60% read home timeline, 30% read a user timeline, 10%
 * compose, users uniform — offered open-loop at a constant arrival rate (k6's analogue of wrk2's
 * `-R`): iterations start on schedule whether or not earlier ones have finished.
 *
 *   k6 run -e BASE_URL=https://flock.example.com -e USERS_FILE=../users.json -e RATE=200 \
 *     -e DURATION=5m load-tests/k6/dsb-mix.ts
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
  thresholds,
  tokenOf,
  type SetupData,
} from './lib/flock.ts';

const RATE = Number(__ENV.RATE ?? 100);
const MAX_VUS = Number(__ENV.MAX_VUS ?? 400);

export const options: Options = {
  scenarios: {
    dsb: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: __ENV.DURATION ?? '2m',
      preAllocatedVUs: Math.min(MAX_VUS, Math.max(10, RATE)),
      maxVUs: MAX_VUS,
      gracefulStop: '10s',
    },
  },
  thresholds: thresholds('dsb'),
  setupTimeout: '10m',
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export function setup(): SetupData {
  return loginSeededUsers();
}

export default function dsbMix(data: SetupData): void {
  const { index } = pickUser(data, exec.vu.idInTest, MAX_VUS);
  const token = tokenOf(data, index);
  const roll = Math.random();
  if (roll < 0.6) readHomeTimeline(token);
  else if (roll < 0.9) readUserTimeline(token, randomUserId());
  else composePost(token);
}
