/**
 * OpenTelemetry tracing for a Flock process. It must run before express, pg or @dapr/dapr are
 * loaded, so it is preloaded rather than imported by the service:
 *
 *   node --import @flock/kit/tracing dist/index.js
 *
 * Configured only by the standard environment: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), `OTEL_EXPORTER_OTLP_PROTOCOL` (http/protobuf by default,
 * http/json, grpc), `OTEL_TRACES_SAMPLER(_ARG)`, `OTEL_BSP_*`, `OTEL_PROPAGATORS` (W3C
 * tracecontext + baggage by default), `OTEL_SERVICE_NAME` (default: `APP_ID`).
 * Without an endpoint (or with `OTEL_SDK_DISABLED=true`) nothing is loaded or started: zero cost.
 *
 * Flock's own code is ESM, so imports of the CJS packages the instrumentations patch (express,
 * pg) go through the ESM loader; the import-in-the-middle loader hook is registered first so
 * those imports are patched too. The SDK's HTTP client (node-fetch over node:http) is covered by
 * the http instrumentation, global fetch by the undici one.
 */
import { register } from 'node:module';

export const TRACING_SHUTDOWN = Symbol.for('flock.tracing.shutdown');

/** True when the environment asks for traces. */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim(),
  );
}

async function startTracing(): Promise<void> {
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const [{ NodeSDK }, { HttpInstrumentation }, { ExpressInstrumentation }, pg, undici] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-express'),
      import('@opentelemetry/instrumentation-pg'),
      import('@opentelemetry/instrumentation-undici'),
    ]);
  // Metrics are prom-client's and logs pino's: the SDK exports traces only unless told otherwise.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const serviceName = process.env.OTEL_SERVICE_NAME ?? process.env.APP_ID;
  const sdk = new NodeSDK({
    ...(serviceName ? { serviceName } : {}),
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes would be most of the traces and say nothing.
        ignoreIncomingRequestHook: (req) =>
          /^\/(healthz|readyz|metrics)(\?|$)/.test(req.url ?? '') ||
          /^\/v1\.0\/healthz/.test(req.url ?? ''),
        ignoreOutgoingRequestHook: (options) =>
          typeof options.path === 'string' && options.path.startsWith('/v1.0/healthz'),
      }),
      new ExpressInstrumentation(),
      new pg.PgInstrumentation(),
      new undici.UndiciInstrumentation({
        ignoreRequestHook: (request) => request.path.startsWith('/v1.0/healthz'),
      }),
    ],
  });
  sdk.start();
  // The loader thread must know every hook before the app's first import.
  await waitForAllMessagesAcknowledged();
  (globalThis as Record<symbol, unknown>)[TRACING_SHUTDOWN] = () => sdk.shutdown();
}

if (tracingConfigured()) await startTracing();
