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

/**
 * A write lost a race: an etag that no longer matches, or an insert-only (first-write) key that
 * another writer created first. Re-read and decide again (see retryOnConflict).
 */
export class WriteConflict extends AppError {
  constructor(detail: string, cause?: unknown) {
    super('conflict', detail, 409, { cause });
  }
}

// How the stores word a lost race: daprd answers 409 for save/delete, but inside a transaction
// every failure is a 500 ERR_STATE_TRANSACTION whose message carries the store's own words —
// "etag mismatch" (all stores), "no item was updated" (Postgres first-write), "already exists".
const CONFLICT_WORDING = /etag|no item was updated|already exists/i;

/**
 * Maps a failed sidecar call to an AppError: a lost race becomes WriteConflict; everything else
 * is a dependency failure the caller may retry later (503).
 */
export function sidecarError(operation: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const failure = parseSidecarFailure(error);
  const lostRace =
    failure?.status === 409 ||
    (failure?.errorCode === 'ERR_STATE_TRANSACTION' &&
      CONFLICT_WORDING.test(failure.message ?? ''));
  if (lostRace) return new WriteConflict(`${operation}: the item changed concurrently.`, error);
  return new AppError('dependency-failed', `${operation} failed; try again.`, 503, {
    cause: error,
    headers: { 'Retry-After': '1' },
  });
}
