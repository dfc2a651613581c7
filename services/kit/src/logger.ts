import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * The one way Flock creates a logger: JSON lines on stdout, `service` on every line,
 * ISO timestamps. Children add request ids and trace ids (see app.ts).
 */
export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
