import { AppError } from '../errors.js';

/**
 * The SDK reports a failed sidecar call as `Error(JSON.stringify({error, error_msg, status}))`,
 * where `error_msg` is the sidecar's `{"errorCode","message"}` (or an app's body for invoke).
 */
export interface SidecarFailure {
  status: number;
  body: string;
  errorCode?: string;
  message?: string;
}

export function parseSidecarFailure(error: unknown): SidecarFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  try {
    const outer = JSON.parse(error.message) as { status?: unknown; error_msg?: unknown };
    if (typeof outer.status !== 'number') return undefined;
    const body = typeof outer.error_msg === 'string' ? outer.error_msg : '';
    let inner: { errorCode?: unknown; message?: unknown } = {};
    try {
      inner = JSON.parse(body) as typeof inner;
    } catch {
      // not the sidecar's JSON: an app's body passed through by invoke
    }
    return {
      status: outer.status,
      body,
      ...(typeof inner.errorCode === 'string' ? { errorCode: inner.errorCode } : {}),
      ...(typeof inner.message === 'string' ? { message: inner.message } : {}),
    };
  } catch {
    return undefined;
  }
}

/** A state write lost an optimistic-concurrency race: re-read and try again. */
export class EtagMismatchError extends AppError {
  constructor(detail: string, cause: unknown) {
    super('conflict', detail, 409, { cause });
  }
}

/**
 * Maps a failed sidecar call to an AppError. Etag mismatches become EtagMismatchError (daprd
 * answers 409 on save/delete, and 500 ERR_STATE_TRANSACTION mentioning the etag inside a
 * transaction); everything else is a dependency failure the caller may retry (503).
 */
export function sidecarError(operation: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const failure = parseSidecarFailure(error);
  const mismatch =
    failure?.status === 409 ||
    (failure?.errorCode === 'ERR_STATE_TRANSACTION' && /etag/i.test(failure.message ?? ''));
  if (mismatch) return new EtagMismatchError(`${operation}: the item changed concurrently.`, error);
  return new AppError('dependency-failed', `${operation} failed; try again.`, 503, {
    cause: error,
    headers: { 'Retry-After': '1' },
  });
}
