import { badRequest, type Handlers } from '@flock/kit';
import type { api } from './analytics.api.js';
import type { AnalyticsDomain } from './analytics.domain.js';

const IDEMPOTENCY_KEY = /^[\w.:-]{1,128}$/;

/** Each route of `api`, by name: one line from HTTP to the domain. */
export const analyticsHandlers = (analytics: AnalyticsDomain): Handlers<typeof api> => ({
  record({ caller, body, req }) {
    const key = req.get('idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
      throw badRequest('The Idempotency-Key is invalid.', [
        { path: 'Idempotency-Key', message: '1..128 letters, digits, . : _ -' },
      ]);
    return analytics.record(caller.id, body, key);
  },
  report: ({ caller, params, query }) => analytics.report(caller.id, params.id, query),
});
