import type { RequestHandler, Router } from 'express';
import express from 'express';
import { AppError, PROBLEM_CONTENT_TYPE, toProblem } from '../errors.js';
import type { ServiceMetrics } from '../metrics.js';

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency is usable; rejects (or times out) when it is not. */
  check(): Promise<void>;
  /**
   * `degrades`: a failure is reported (status `degraded`) but the process stays ready. For what
   * only part of the service needs: taking the process out of rotation would turn a partial
   * outage into a total one.
   */
  impact?: 'unready' | 'degrades';
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(check: ReadinessCheck): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
    check
      .check()
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

/** `/healthz`: the process is alive. `/readyz`: it can serve (dependencies reachable, not draining). */
export function healthRoutes(
  checks: readonly ReadinessCheck[],
  isDraining: () => boolean,
  metrics: ServiceMetrics,
  metricsAccess: RequestHandler,
): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    const results = await Promise.all(
      checks.map(async (check) => {
        try {
          await withTimeout(check);
          return { name: check.name, ok: true };
        } catch (error) {
          return { name: check.name, ok: false, error: (error as Error).message };
        }
      }),
    );
    const failing = results.filter(
      (result, i) => !result.ok && (checks[i]!.impact ?? 'unready') === 'unready',
    );
    if (isDraining() || failing.length > 0) {
      const reason = isDraining()
        ? 'shutting down'
        : failing.map((f) => `${f.name}: ${f.error}`).join('; ');
      const problem = toProblem(
        new AppError('not-ready', `Not ready: ${reason}.`, 503),
        req.originalUrl,
      );
      res
        .status(503)
        .type(PROBLEM_CONTENT_TYPE)
        .json({ ...problem, checks: results });
      return;
    }
    res.json({ status: results.every((r) => r.ok) ? 'ready' : 'degraded', checks: results });
  });
  router.get('/metrics', metricsAccess, async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
