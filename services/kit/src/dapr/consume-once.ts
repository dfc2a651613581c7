import { retryOnConflict } from './retry.js';
import type { StateStore, TransactionOperation } from './state.js';

/** How long a consumer remembers an event id: longer than any broker keeps redelivering. */
const PROCESSED_TTL_SECONDS = 7 * 24 * 3600;
/** Hot documents (one user's day, a popular post) see many writers: be patient before failing. */
const MAX_ATTEMPTS = 30;

const markerKey = (eventId: string) => `processed:${eventId}`;

/**
 * Applies an event's effect exactly once per consumer. `plan` reads what it needs and returns the
 * writes; they commit together with an insert-only `processed:<eventId>` marker, so a redelivery
 * finds the marker and changes nothing. An etag race re-runs `plan` on fresh state.
 * It needs a store whose transactions are all or nothing: daprd's state.redis applies the other
 * writes of a transaction whose etag check failed, and answers 204, so the marker would say done
 * for an effect that never landed (docs/backends.md, state.redis).
 */
export async function consumeOnce(
  state: StateStore,
  eventId: string,
  plan: () => Promise<readonly TransactionOperation[]>,
): Promise<'applied' | 'duplicate'> {
  const marker = markerKey(eventId);
  const markerWrite: TransactionOperation = {
    operation: 'upsert',
    key: marker,
    value: { at: new Date().toISOString() },
    concurrency: 'first-write',
    ttlInSeconds: PROCESSED_TTL_SECONDS,
  };
  return retryOnConflict(async () => {
    if (await state.get(marker)) return 'duplicate';
    const operations = await plan();
    try {
      await state.transact([...operations, markerWrite]);
      return 'applied';
    } catch (error) {
      if (await state.get(marker)) return 'duplicate'; // a concurrent delivery won the race
      throw error; // a lost etag race (WriteConflict) re-plans on fresh state, after a jitter
    }
  }, MAX_ATTEMPTS);
}

/**
 * Read-modify-write of one item under its etag: `change` gets the current value (undefined if
 * absent) and returns the new one, or undefined to write nothing. Lost races re-run `change` on
 * fresh state. Resolves to the value now stored.
 */
export function updateWithRetry<T>(
  state: StateStore,
  key: string,
  change: (current: T | undefined) => T | undefined,
  attempts = MAX_ATTEMPTS,
): Promise<T | undefined> {
  return retryOnConflict(async () => {
    const current = await state.get<T>(key);
    const next = change(current?.value);
    if (next === undefined) return current?.value;
    await state.save(key, next, current ? { etag: current.etag } : { concurrency: 'first-write' });
    return next;
  }, attempts);
}

/**
 * Remembers events a consumer has fully handled, for handlers whose effect spans several
 * transactions (a fan-out, a cascade): every step must be idempotent on its own, and the marker
 * only spares re-running a finished event. Same marker as consumeOnce.
 */
export class ProcessedEvents {
  constructor(private readonly state: StateStore) {}

  async seen(eventId: string): Promise<boolean> {
    return (await this.state.get(markerKey(eventId))) !== undefined;
  }

  async remember(eventId: string): Promise<void> {
    await consumeOnce(this.state, eventId, async () => []);
  }

  /** Runs `work` unless the event was already fully handled, then remembers it. */
  async once(eventId: string, work: () => Promise<unknown>): Promise<void> {
    if (await this.seen(eventId)) return;
    await work();
    await this.remember(eventId);
  }
}
