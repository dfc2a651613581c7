/**
 * What keeps a platform from being what its spec says, each with its own condition reason so
 * alerts and `kubectl get sp` tell a missing Secret from a refused object. Messages are whole
 * sentences that say what to do.
 */
import { ApiException } from '@kubernetes/client-node';

export const REASONS = {
  /** A rule across fields the schema cannot state (e.g. minReplicas > maxReplicas). */
  specInvalid: 'SpecInvalid',
  /** A referenced Secret, or a key in it, does not exist. */
  secretMissing: 'SecretMissing',
  /** The cluster does not serve a kind the platform needs (Dapr not installed). */
  kindNotServed: 'KindNotServed',
  /** The apiserver refused a rendered object. */
  applyFailed: 'ApplyFailed',
  /** A Deployment reports ProgressDeadlineExceeded. */
  rolloutStuck: 'RolloutStuck',
} as const;
export type Reason = (typeof REASONS)[keyof typeof REASONS];

export interface Problem {
  reason: Reason;
  message: string;
}

/** One sentence: trailing punctuation of the parts is dropped and one full stop added. */
export const sentence = (text: string): string => `${text.trim().replace(/[.;:\s]+$/, '')}.`;

/**
 * The apiserver's own one-line explanation of a failed request (its Status `message`), without
 * the HTTP headers and raw body client-node puts into `err.message`.
 */
export function describeError(err: unknown): string {
  if (err instanceof ApiException) {
    let body: unknown = err.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // not JSON: keep the text
      }
    }
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? String((body as { message: unknown }).message)
        : typeof body === 'string' && body.length < 300
          ? body
          : '';
    return message
      ? `the apiserver answered ${err.code}: ${message}`
      : `the apiserver answered ${err.code}`;
  }
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!;
}

/** Errors a later attempt may not meet (network, overload, apiserver faults), so worth a backoff retry. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof ApiException)) return true;
  return err.code === 429 || err.code >= 500;
}
