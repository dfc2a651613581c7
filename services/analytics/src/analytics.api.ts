import { APP_IDS, defineApi } from '@flock/kit';
import {
  recordRequest,
  recorded,
  userParams,
  userReport,
  windowQuery,
} from './analytics.schemas.js';

export const api = defineApi({
  appId: APP_IDS.analytics,
  tag: 'analytics',
  routes: {
    record: {
      method: 'post',
      path: '/analytics/events',
      access: 'auth',
      summary:
        'Record an action of the caller (profile.viewed, post.viewed, search.performed, timeline.viewed, link.clicked). 202; with an Idempotency-Key a retry counts once.',
      body: recordRequest,
      responses: { 202: recorded },
      idempotent: true,
    },
    report: {
      method: 'get',
      path: '/analytics/users/:id',
      access: 'auth',
      summary:
        'Per-day counters of user :id over [from, to] (UTC dates; default the last 30 days, at most 366): posts, likes given and received, comments, followers gained and lost, actions by type. Only the user themself: 403 otherwise.',
      params: userParams,
      query: windowQuery,
      responses: { 200: userReport },
    },
  },
});
