import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * The one way Flock creates a logger: JSON lines on stdout, `service` on every line,
 * ISO timestamps. Children add request ids (see app.ts); with tracing on (`@flock/kit/tracing`)
 * every line written inside a span carries its `traceId` and `spanId`.
 */
export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: traceFields,
  });
}

/** The active span's ids; nothing when tracing is off (the API's no-op context has no span). */
export function traceFields(): { traceId?: string; spanId?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return {};
  return { traceId: context.traceId, spanId: context.spanId };
}
