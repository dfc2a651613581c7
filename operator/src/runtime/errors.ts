/**
 * What an apiserver error means for the caller, in words fit for a condition or an Event, and
 * whether trying again later may help.
 */
import { ApiException } from '@kubernetes/client-node';

export const isNotFound = (err: unknown): boolean =>
  err instanceof ApiException && err.code === 404;

/** One sentence: trailing punctuation of the parts is dropped and one full stop added. */
export const sentence = (text: string): string => `${text.trim().replace(/[.;:\s]+$/, '')}.`;

interface Status {
  message?: string;
  details?: { causes?: { field?: string; message?: string }[] };
}

/** The error body as the apiserver's Status, when it is one. */
function statusOf(body: unknown): Status | undefined {
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null ? (body as Status) : undefined;
}

/**
 * What the apiserver objected to, in words: each cause as "field: reason" (the Status message
 * repeats the offending value, often as JSON), else its message; never the HTTP headers and
 * raw body that client-node puts into `err.message`.
 */
export function describeError(err: unknown): string {
  if (err instanceof ApiException) {
    const status = statusOf(err.body);
    const causes = (status?.details?.causes ?? [])
      .filter((c) => c.message)
      // "Invalid value: <the value, often JSON>: <why>": the field name and the why say it.
      .map((c) => ({ ...c, message: c.message!.replace(/^Invalid value: .*: (?=[^:]*$)/, '') }))
      .map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    if (causes.length > 0) return `the apiserver refused it (${err.code}): ${causes.join(', ')}`;
    if (status?.message) return `the apiserver answered ${err.code}: ${status.message}`;
    return `the apiserver answered ${err.code}`;
  }
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!;
}

/** Errors a later attempt may not meet (network, overload, apiserver faults), so worth a backoff retry. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof ApiException)) return true;
  return err.code === 429 || err.code >= 500;
}
