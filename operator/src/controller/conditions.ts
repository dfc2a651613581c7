/**
 * Status conditions with Kubernetes `SetStatusCondition` semantics: one entry per type;
 * `lastTransitionTime` changes only when `status` flips, so it says when the state began.
 */
import type { Condition } from '../api/types.js';

export const READY = 'Ready';
export const PROGRESSING = 'Progressing';
export const DEGRADED = 'Degraded';

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** Returns a new list with `input` set; the input list is not modified. */
export function setCondition(
  conditions: readonly Condition[],
  input: ConditionInput,
  now: Date,
): Condition[] {
  const existing = conditions.find((c) => c.type === input.type);
  const lastTransitionTime =
    existing && existing.status === input.status
      ? existing.lastTransitionTime
      : now.toISOString().replace(/\.\d+Z$/, 'Z');
  const next: Condition = { ...input, lastTransitionTime };
  return existing
    ? conditions.map((c) => (c.type === input.type ? next : c))
    : [...conditions, next];
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
