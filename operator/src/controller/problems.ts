/**
 * What keeps a platform from being what its spec says, each with its own condition reason so
 * alerts and `kubectl get sp` tell a missing Secret from a refused object. Messages are whole
 * sentences that say what to do.
 */
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
