/**
 * Whether a live object already holds everything the operator wants. The apiserver adds
 * defaults and other managers' fields, so "contains" rather than "equals"; the spec-hash
 * annotation (part of the desired object) catches fields the operator stopped setting.
 * Skipping applies that would change nothing keeps a no-op resync free of writes.
 */
import { compareQuantities } from './quantity.js';

/** Maps whose string values the apiserver stores as canonical quantities ("0.5" → "500m"). */
const QUANTITY_MAPS = new Set(['requests', 'limits']);

/** `key` is where `desired` sits in its parent, `parent` where that parent sits. */
export function contains(live: unknown, desired: unknown, key = '', parent = ''): boolean {
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
    return Object.entries(desired).every(([k, v]) => contains(l[k], v, k, key));
  }
  if (QUANTITY_MAPS.has(parent) && typeof live === 'string' && typeof desired === 'string')
    return compareQuantities(live, desired) === 0;
  return live === desired;
}
