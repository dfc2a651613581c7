import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@flock/kit';
import type { AppProcess } from './app-process.js';

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** An app that ran this long before it exited starts its backoff afresh. */
const HEALTHY_MS = 60_000;

export interface SupervisedApp {
  appId: string;
  first: AppProcess;
  /** Starts the app again (same command, environment and port). */
  respawn(): AppProcess;
  /** Told of each new process, so stop() and the pid reported stay current. */
  replaced(next: AppProcess): void;
  stopping(): boolean;
  logger: Logger;
}

/**
 * Restarts an app that exits on its own (a crash, a kill -9, an OOM kill), as a process manager
 * or a kubelet would: after 0.5 s, doubling to 30 s while it keeps failing, and says so in the
 * runner's log each time. A stop by the runner is not a crash.
 */
export function supervise(app: SupervisedApp): void {
  let failures = 0;
  const watch = (process: AppProcess, startedAt: number) => {
    void process.exited.then(async (code) => {
      if (app.stopping()) return;
      if (Date.now() - startedAt > HEALTHY_MS) failures = 0;
      const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** failures++);
      app.logger.error(
        { appId: app.appId, code, restartInMs: delay, pid: process.pid },
        `${app.appId} exited (code ${code}); restarting it in ${delay} ms`,
      );
      await sleep(delay);
      if (app.stopping()) return;
      const next = app.respawn();
      app.replaced(next);
      app.logger.warn({ appId: app.appId, pid: next.pid }, `${app.appId} restarted`);
      watch(next, Date.now());
    });
  };
  watch(app.first, Date.now());
}
