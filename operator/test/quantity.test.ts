import { contains } from '../src/controller/diff.js';
import { compareQuantities } from '../src/controller/quantity.js';

describe('quantities', () => {
  test.each([
    ['0.5', '500m', 0],
    ['0.125Gi', '128Mi', 0],
    ['1', '1000m', 0],
    ['1k', '1000', 0],
    ['10m', '50m', -1],
    ['1Gi', '1G', 1],
  ])('when %s is compared with %s, then the result is %i', (a, b, want) => {
    expect(compareQuantities(a, b)).toBe(want);
  });

  test('when a value is no quantity, then there is no comparison', () => {
    expect(compareQuantities('lots', '1')).toBeUndefined();
  });

  test('when the apiserver stored a request in canonical form, then the live object still matches', () => {
    const desired = { resources: { requests: { cpu: '0.5', memory: '0.125Gi' } } };
    const live = { resources: { requests: { cpu: '500m', memory: '128Mi' } } };
    expect(contains(live, desired)).toBe(true);
    expect(contains({ resources: { requests: { cpu: '400m' } } }, desired)).toBe(false);
  });

  test('when equal numbers appear outside resources, then they are still compared as text', () => {
    expect(contains({ env: { value: '1.0' } }, { env: { value: '1' } })).toBe(false);
  });
});
