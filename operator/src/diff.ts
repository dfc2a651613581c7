/**
 * Whether a live object already holds everything the operator wants. The apiserver adds
 * defaults and other managers' fields, so "contains" rather than "equals"; the spec-hash
 * annotation (part of the desired object) catches fields the operator stopped setting.
 * Skipping applies that would change nothing keeps a no-op resync free of writes.
 */
export function contains(live: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(live) &&
      live.length === desired.length &&
      desired.every((d, i) => contains(live[i], d))
    );
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    return Object.entries(desired).every(([k, v]) => contains(l[k], v));
  }
  return live === desired;
}
