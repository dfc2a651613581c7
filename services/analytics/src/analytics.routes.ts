import type { Express } from 'express';
import { badRequest, requireCaller } from '@flock/kit';
import type { AnalyticsDomain } from './analytics.domain.js';
import { recordRequest, userParams, windowQuery } from './analytics.schemas.js';

const IDEMPOTENCY_KEY = /^[\w.:-]{1,128}$/;

export function analyticsRoutes(app: Express, analytics: AnalyticsDomain): void {
  app.post('/analytics/events', async (req, res) => {
    const caller = requireCaller(req);
    const body = recordRequest.parse(req.body);
    const key = req.get('idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
      throw badRequest('The Idempotency-Key is invalid.', [
        { path: 'Idempotency-Key', message: '1..128 letters, digits, . : _ -' },
      ]);
    res.status(202).json(await analytics.record(caller.id, body, key));
  });

  app.get('/analytics/users/:id', async (req, res) => {
    const caller = requireCaller(req);
    const { id } = userParams.parse(req.params);
    const window = windowQuery.parse(req.query);
    res.json(await analytics.report(caller.id, id, window));
  });
}
