import { WriteConflict } from './errors.js';

const MAX_ATTEMPTS = 10;

/**
 * Re-runs a read-decide-write unit until it commits without losing a race (WriteConflict), at
 * most `attempts` times. A little growing jitter keeps contenders for one hot item (a post being
 * liked by many) from colliding again in lockstep.
 */
export async function retryOnConflict<T>(
  unit: () => Promise<T>,
  attempts = MAX_ATTEMPTS,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await unit();
    } catch (error) {
      if (!(error instanceof WriteConflict) || attempt >= attempts) throw error;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.random() * Math.min(50, 5 * attempt)),
      );
    }
  }
}
