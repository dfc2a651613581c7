/**
 * The DSB mix extended with what DeathStarBench lacks (its issue #323): follows, likes,
 * comments, notifications and search, still open-loop at a constant arrival rate.
 *   45% home timeline, 20% user timeline, 8% compose, 8% like, 5% comment, 6% notifications,
 *   4% follow/unfollow, 4% search.
 *
 *   k6 run -e BASE_URL=… -e RATE=150 -e DURATION=5m load-tests/k6/extended-mix.ts
 */
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import {
  commentOn,
  composePost,
  followOrUnfollow,
  likePost,
  loginSeededUsers,
  pickUser,
  randomPostId,
  randomUserId,
  readHomeTimeline,
  readNotifications,
  readUserTimeline,
  searchPosts,
  thresholds,
  tokenOf,
  type SetupData,
} from './lib/flock.ts';

const RATE = Number(__ENV.RATE ?? 100);
const MAX_VUS = Number(__ENV.MAX_VUS ?? 400);

/** Cumulative shares: each iteration draws one action. */
export const MIX: Array<[number, string]> = [
  [0.45, 'home'],
  [0.65, 'user'],
  [0.73, 'compose'],
  [0.81, 'like'],
  [0.86, 'comment'],
  [0.92, 'notifications'],
  [0.96, 'follow'],
  [1.0, 'search'],
];

export const options: Options = {
  scenarios: {
    extended: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: __ENV.DURATION ?? '2m',
      preAllocatedVUs: Math.min(MAX_VUS, Math.max(10, RATE)),
      maxVUs: MAX_VUS,
      gracefulStop: '10s',
    },
  },
  thresholds: {
    ...thresholds('extended'),
    'http_req_duration{name:like}': ['p(99)<500'],
    'http_req_duration{name:comment}': ['p(99)<500'],
    'http_req_duration{name:notifications}': ['p(99)<250'],
    'http_req_duration{name:search}': ['p(99)<500'],
  },
  setupTimeout: '10m',
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export function setup(): SetupData {
  return loginSeededUsers();
}

export default function extendedMix(data: SetupData): void {
  const { index, user } = pickUser(data, exec.vu.idInTest, MAX_VUS);
  const token = tokenOf(data, index);
  const roll = Math.random();
  const action = MIX.find(([share]) => roll < share)![1];
  switch (action) {
    case 'home':
      return readHomeTimeline(token);
    case 'user':
      return readUserTimeline(token, randomUserId());
    case 'compose':
      return void composePost(token);
    case 'like':
      return likePost(token, randomPostId());
    case 'comment':
      return commentOn(token, randomPostId());
    case 'notifications':
      return readNotifications(token);
    case 'follow': {
      const other = randomUserId();
      return other === user.id ? undefined : followOrUnfollow(token, other);
    }
    default:
      return searchPosts(token);
  }
}
