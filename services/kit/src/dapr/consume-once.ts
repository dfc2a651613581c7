import { WriteConflict } from './errors.js';
import type { StateStore, TransactionOperation } from './state.js';

/** How long a consumer remembers an event id: longer than any broker keeps redelivering. */
const PROCESSED_TTL_SECONDS = 7 * 24 * 3600;
const MAX_ATTEMPTS = 8;

/**
 * Applies an event's effect exactly once per consumer. `plan` reads what it needs and returns the
 * writes; they commit together with an insert-only `processed:<eventId>` marker, so a redelivery
 * finds the marker and changes nothing. An etag race re-runs `plan` on fresh state.
 */
export async function consumeOnce(
  state: StateStore,
  eventId: string,
  plan: () => Promise<readonly TransactionOperation[]>,
): Promise<'applied' | 'duplicate'> {
  const marker = `processed:${eventId}`;
  for (let attempt = 1; ; attempt++) {
    if (await state.get(marker)) return 'duplicate';
    const operations = await plan();
    try {
      await state.transact([
        ...operations,
        {
          operation: 'upsert',
          key: marker,
          value: { at: new Date().toISOString() },
          concurrency: 'first-write',
          ttlInSeconds: PROCESSED_TTL_SECONDS,
        },
      ]);
      return 'applied';
    } catch (error) {
      if (await state.get(marker)) return 'duplicate'; // a concurrent delivery won the race
      if (!(error instanceof WriteConflict) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/**
 * Read-modify-write of one item under optimistic concurrency: `change` gets the current value
 * (undefined if absent) and returns the new one; lost races are retried on fresh state.
 */
export async function updateWithRetry<T>(
  state: StateStore,
  key: string,
  change: (current: T | undefined) => T,
  attempts = MAX_ATTEMPTS,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await state.get<T>(key);
    const next = change(current?.value);
    try {
      await state.save(
        key,
        next,
        current ? { etag: current.etag } : { concurrency: 'first-write' },
      );
      return next;
    } catch (error) {
      const lostRace = error instanceof WriteConflict || (!current && attempt < attempts);
      if (!lostRace || attempt >= attempts) throw error;
    }
  }
}
