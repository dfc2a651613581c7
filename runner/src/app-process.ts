import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Logger } from '@flock/kit';

export interface AppProcess {
  readonly pid: number;
  /** The port the app reports once it listens (the kit sends it over IPC). */
  readonly listening: Promise<number>;
  /** Resolves with the exit code when the process ends, however it ends. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

export interface SpawnAppOptions {
  appId: string;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  /** A file to append the app's output to; absent = this process's stdout/stderr. */
  logFile?: string;
  logger: Logger;
}

export function spawnApp(options: SpawnAppOptions): AppProcess {
  const [command, ...args] = options.command as [string, ...string[]];
  // The app writes its log file itself (an inherited descriptor, not a pipe through the runner),
  // so its log outlives the runner and nothing breaks if the runner goes first.
  const log = options.logFile ? openSync(options.logFile, 'a') : 'inherit';
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log, 'ipc'],
  });
  if (typeof log === 'number') closeSync(log); // the child holds its own copy
  const listening = new Promise<number>((resolve) => {
    child.on('message', (message: { type?: string; port?: number }) => {
      if (message?.type === 'flock:listening' && typeof message.port === 'number')
        resolve(message.port);
    });
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (error) => {
      options.logger.error({ err: error, appId: options.appId }, 'could not start app');
      resolve(null);
    });
  });
  return {
    pid: child.pid ?? -1,
    listening,
    exited,
    async stop(graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
