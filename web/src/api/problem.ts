/** RFC 9457 problem details as the gateway and every service answer them. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: Array<{ path?: string; message?: string }>;
}

/** A failed API call: what to tell the person, and which form fields were wrong. */
export class ApiError extends Error {
  readonly status: number;
  /** Field path (e.g. `username`, `body.text`) → message, for errors shown next to fields. */
  readonly fields: Readonly<Record<string, string>>;

  constructor(problem: Problem) {
    super(problem.detail || problem.title || `Request failed (${problem.status})`);
    this.name = 'ApiError';
    this.status = problem.status;
    const fields: Record<string, string> = {};
    for (const error of problem.errors ?? []) {
      const key = fieldName(error.path ?? '');
      if (key && error.message && !(key in fields)) fields[key] = error.message;
    }
    this.fields = fields;
  }
}

/** `body.username`, `/username` or `query.q` → `username` / `q`: the form field it concerns. */
export function fieldName(path: string): string {
  const parts = path.split(/[./]/).filter((part) => part.length > 0);
  const meaningful = parts.filter((part) => !['body', 'query', 'params'].includes(part));
  return meaningful[meaningful.length - 1] ?? parts[parts.length - 1] ?? '';
}

/** Any thrown value as an `ApiError` (network failures become status 0). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isProblem(error)) return new ApiError(error);
  const offline = error instanceof TypeError || (error as Error)?.name === 'TypeError';
  return new ApiError({
    status: 0,
    detail: offline
      ? 'Flock cannot be reached. Check your connection and try again.'
      : error instanceof Error
        ? error.message
        : 'Something went wrong.',
  });
}

export function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' && value !== null && typeof (value as Problem).status === 'number'
  );
}
