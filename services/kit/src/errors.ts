import { z } from 'zod';
import type { Logger } from './logger.js';

export interface FieldError {
  path: string;
  message: string;
}

export interface AppErrorOptions {
  /** Field-level problems, listed in the problem+json body. */
  errors?: FieldError[];
  /** The process can no longer be trusted (uncaught exception): log and exit. */
  catastrophic?: boolean;
  cause?: unknown;
  /** Response headers such as Retry-After or WWW-Authenticate. */
  headers?: Record<string, string>;
}

/**
 * Flock's one error type. `name` is a stable slug that becomes the problem `type`;
 * `status` is the HTTP status the error stands for; `message` is safe to show to callers.
 */
export class AppError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status: number,
    readonly options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
  }

  get isCatastrophic(): boolean {
    return this.options.catastrophic === true;
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new AppError('validation-error', detail, 400, { errors });
export const unauthorized = (detail = 'A valid access token is required.') =>
  new AppError('unauthorized', detail, 401, { headers: { 'WWW-Authenticate': 'Bearer' } });
export const forbidden = (detail: string) => new AppError('forbidden', detail, 403);
export const notFound = (detail: string) => new AppError('not-found', detail, 404);
export const conflict = (detail: string) => new AppError('conflict', detail, 409);
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new AppError('rate-limited', detail, 429, {
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

/** A 404 as `undefined`: for a caller to whom "there is none" is an answer, not a failure. */
export async function ifFound<T>(answer: Promise<T>): Promise<T | undefined> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof AppError && error.status === 404) return undefined;
    throw error;
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Errors made by Express's own parts (body-parser, the router) follow http-errors: a `status`,
 * `expose` when it is the caller's fault, and for body-parser a `type`. A 4xx among them is
 * the caller's mistake, never a 500: a body that does not match its Content-Encoding is a zlib
 * error wrapped with status 400.
 */
interface HttpError {
  status: number;
  type?: string;
}

function fromHttpError(error: HttpError): AppError {
  switch (error.type) {
    case 'entity.too.large':
      return new AppError('payload-too-large', 'The request body is too large.', 413);
    case 'entity.parse.failed':
      return badRequest('The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(
        'unsupported-media-type',
        'The request body encoding is not supported.',
        415,
      );
    default:
      return error.status < 500
        ? new AppError(
            'bad-request',
            'The request could not be read (is its Content-Encoding right?).',
            error.status,
          )
        : internal(error);
  }
}

const internal = (cause: unknown) =>
  new AppError('internal', 'An unexpected error occurred.', 500, { cause });

function isHttpError(error: unknown): error is HttpError {
  const { status, type, expose } = error as { status?: unknown; type?: unknown; expose?: unknown };
  return (
    error instanceof Error &&
    typeof status === 'number' &&
    (typeof type === 'string' || expose === true)
  );
}

/** Classifies anything thrown into an AppError, once, for HTTP, events and the process. */
export function classify(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) {
    return badRequest(
      'The request is invalid.',
      error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  if (isHttpError(error)) return fromHttpError(error);
  return internal(error);
}

export function toProblem(error: AppError, instance?: string): Problem {
  return {
    type: `https://flock.dev/problems/${error.name}`,
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    ...(instance === undefined ? {} : { instance }),
    ...(error.options.errors ? { errors: error.options.errors } : {}),
  };
}

/** The one place errors are logged: server faults loudly, caller faults quietly. */
export function handleError(error: unknown, logger: Logger): AppError {
  const appError = classify(error);
  if (appError.isCatastrophic)
    logger.fatal({ err: appError.options.cause ?? appError }, appError.message);
  else if (appError.status >= 500)
    logger.error({ err: appError.options.cause ?? appError }, appError.message);
  else logger.debug({ status: appError.status, problem: appError.name }, appError.message);
  return appError;
}
