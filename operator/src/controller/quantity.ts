/**
 * Kubernetes resource quantities as exact fractions, so "0.5" and "500m" (or "0.125Gi" and
 * "128Mi") compare equal: the apiserver stores the canonical form, not what was sent.
 */
const SUFFIX: Record<string, [bigint, bigint]> = {
  '': [1n, 1n],
  m: [1n, 1000n],
  k: [1000n, 1n],
  M: [1000n ** 2n, 1n],
  G: [1000n ** 3n, 1n],
  T: [1000n ** 4n, 1n],
  Ki: [1n << 10n, 1n],
  Mi: [1n << 20n, 1n],
  Gi: [1n << 30n, 1n],
  Ti: [1n << 40n, 1n],
};
const QUANTITY = /^([0-9]+)(?:\.([0-9]+))?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** The quantity as numerator/denominator, or undefined when it is not one this schema allows. */
export function parseQuantity(q: string): [bigint, bigint] | undefined {
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const [, whole, frac = '', suffix = ''] = m;
  const [mul, div] = SUFFIX[suffix]!;
  return [BigInt(whole! + frac) * mul, 10n ** BigInt(frac.length) * div];
}

/** Negative, zero or positive as a is less than, equal to or greater than b; undefined if either is no quantity. */
export function compareQuantities(a: string, b: string): number | undefined {
  const [x, y] = [parseQuantity(a), parseQuantity(b)];
  if (!x || !y) return undefined;
  const d = x[0] * y[1] - y[0] * x[1];
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}
