import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, consumeOnce, type StateStore, type TransactionOperation } from '@flock/kit';
import {
  applyIncrements,
  emptyCounters,
  type CounterRepository,
  type Increment,
} from './analytics.domain.js';
import type { Counters } from './analytics.schemas.js';

/*
 * Key layout in the analytics store:
 *   daily:<userId>:<YYYY-MM-DD>   the user's counters of that UTC day
 *   processed:<operationId>       consumeOnce's marker (an event id or an action's id)
 * A window of N days is one bulk read of N keys. An update reads the day documents it touches,
 * writes them back under their etags (insert-only when new) together with the marker, and
 * consumeOnce re-plans on a lost race and answers 'duplicate' for a redelivery.
 */
const dailyKey = (userId: string, date: string) => `daily:${userId}:${date}`;
const MAX_ROUNDS = 30;

/** A lost optimistic-concurrency race, whatever the kit's class for it is called. */
export const isConflict = (error: unknown) => error instanceof AppError && error.status === 409;

/**
 * consumeOnce retries lost races a few times back to back; many writers of one hot document
 * (a burst of actions, a popular author's likes) need more rounds, spread by jittered backoff.
 */
async function withBackoff<T>(attempt: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isConflict(error) || round >= MAX_ROUNDS) throw error;
      await sleep(Math.random() * Math.min(100, 5 * round));
    }
  }
}

interface DailyRecord extends Counters {
  userId: string;
  date: string;
}

export class DaprCounterRepository implements CounterRepository {
  constructor(private readonly state: StateStore) {}

  apply(operationId: string, increments: readonly Increment[]) {
    const byKey = new Map<string, Increment[]>();
    for (const inc of increments) {
      const key = dailyKey(inc.userId, inc.date);
      byKey.set(key, [...(byKey.get(key) ?? []), inc]);
    }
    return withBackoff(() =>
      consumeOnce(this.state, operationId, async () => {
        const current = await this.state.getMany<DailyRecord>([...byKey.keys()]);
        return [...byKey].map(([key, incs]): TransactionOperation => {
          const found = current.get(key);
          const base = found?.value ?? { userId: incs[0]!.userId, date: incs[0]!.date };
          const value: DailyRecord = {
            ...base,
            ...applyIncrements({ ...emptyCounters(), ...found?.value }, incs),
          };
          return found
            ? { operation: 'upsert', key, value, etag: found.etag }
            : { operation: 'upsert', key, value, concurrency: 'first-write' };
        });
      }),
    );
  }

  async read(userId: string, dates: readonly string[]): Promise<Map<string, Counters>> {
    const found = await this.state.getMany<DailyRecord>(dates.map((d) => dailyKey(userId, d)));
    const days = new Map<string, Counters>();
    for (const { value } of found.values()) {
      const day = { ...emptyCounters() };
      for (const key of Object.keys(day) as Array<keyof Counters>)
        if (value[key] !== undefined) (day as Record<string, unknown>)[key] = value[key];
      days.set(value.date, day);
    }
    return days;
  }
}
