/**
 * Tests that need an external server skip (with a message) when it is unreachable on a dev
 * machine, but fail in CI (`CI=true`), where a missing server is a broken pipeline.
 */
export function describeIfReachable(
  reachable: boolean,
  what: string,
): (title: string, fn: () => void) => void {
  if (reachable) return (title, fn) => describe(title, fn);
  if (process.env.CI === 'true') {
    return (title) =>
      describe(title, () => {
        it(`requires ${what}`, () => {
          throw new Error(`${what} is not reachable, and CI=true forbids skipping`);
        });
      });
  }
  return (title, fn) => {
    console.warn(`SKIPPED "${title}": ${what} is not reachable`);
    describe.skip(title, fn);
  };
}
