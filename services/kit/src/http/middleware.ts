import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import {
  AppError,
  PROBLEM_CONTENT_TYPE,
  handleError,
  notFound,
  toProblem,
  unauthorized,
} from '../errors.js';
import type { Logger } from '../logger.js';
import type { ServiceMetrics } from '../metrics.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Keeps a caller's `X-Request-Id` when it is sane, otherwise mints one; echoes it back. */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId(req, res) {
      const incoming = req.headers['x-request-id'];
      const id =
        typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'warn' : res.statusCode >= 400 ? 'info' : 'debug',
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

/** The route template ("/users/:id"), never the raw path, so label cardinality stays bounded. */
export function routeTemplate(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  if (!route || typeof route.path !== 'string') return 'unmatched';
  return `${req.baseUrl}${route.path}` || '/';
}

export function httpMetrics(metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const labels = {
        method: req.method,
        route: routeTemplate(req),
        status: String(res.statusCode),
      };
      stop(labels);
      metrics.httpRequests.inc(labels);
    });
    next();
  };
}

/**
 * With APP_API_TOKEN set, only the sidecar (which sends it as `dapr-api-token`) may call us.
 * Probes and scrapes come from the kubelet and Prometheus directly, so they stay open.
 */
export function sidecarOnly(
  token: string | undefined,
  openPaths: ReadonlySet<string>,
): RequestHandler {
  if (token === undefined) return (_req, _res, next) => next();
  const expected = Buffer.from(token);
  return (req, _res, next) => {
    if (openPaths.has(req.path)) return next();
    const ok = sameSecret(String(req.headers['dapr-api-token'] ?? ''), expected);
    next(ok ? undefined : unauthorized('This service accepts calls only from its Dapr sidecar.'));
  };
}

export const unknownRoute: RequestHandler = (req, _res, next) =>
  next(notFound(`No route for ${req.method} ${req.path}.`));

/** Whether `given` equals `expected`, in time that does not depend on where they differ. */
function sameSecret(given: string, expected: Buffer): boolean {
  const bytes = Buffer.from(given);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

/**
 * Who may scrape `/metrics`: with a token, whoever sends it as a bearer token; without one,
 * anyone on an internal service, and no one on the public edge (it answers 404 there).
 */
export function metricsAccess(token: string | undefined, publicEdge: boolean): RequestHandler {
  if (token === undefined) return publicEdge ? unknownRoute : (_req, _res, next) => next();
  const expected = Buffer.from(`Bearer ${token}`);
  return (req, _res, next) =>
    next(
      sameSecret(req.get('authorization') ?? '', expected)
        ? undefined
        : unauthorized('Metrics need the metrics bearer token.'),
    );
}

/** Every error leaves as problem+json; the stack trace stays in the log. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const appError: AppError = handleError(error, (req as { log?: Logger }).log ?? logger);
    for (const [name, value] of Object.entries(appError.options.headers ?? {}))
      res.setHeader(name, value);
    res
      .status(appError.status)
      .type(PROBLEM_CONTENT_TYPE)
      .json(toProblem(appError, req.originalUrl));
  };
}

/** Node's own refusals, before Express sees a request: oversized headers, a stalled client. */
const CLIENT_ERRORS: Record<string, { name: string; status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    name: 'headers-too-large',
    status: 431,
    detail: 'The request headers are too large.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    name: 'request-timeout',
    status: 408,
    detail: 'The request took too long to arrive.',
  },
};

/**
 * The server's `clientError` listener: Node would answer a bare status line; callers get the
 * same problem+json as from any route. A client that already left gets nothing.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const known = CLIENT_ERRORS[error.code ?? ''] ?? {
    name: 'bad-request',
    status: 400,
    detail: 'The request is not valid HTTP.',
  };
  const problem = toProblem(new AppError(known.name, known.detail, known.status));
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${known.status} ${problem.title}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
