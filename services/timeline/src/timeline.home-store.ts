import { randomBytes } from 'node:crypto';
import {
  WriteConflict,
  guardedUpsert,
  retryOnConflict,
  type StateEntry,
  type StateStore,
  type TransactionOperation,
} from '@flock/kit';
import { HOME_CAP, mergeEntries } from './timeline.domain.js';
import {
  olderThan,
  pageStart,
  planMerge,
  recounted,
  type HomeHead,
} from './timeline.home-layout.js';
import type { Entry, HomePosition } from './timeline.schemas.js';

/**
 * Home timelines in the timeline store, laid out as timeline.home-layout.ts says. Writes to many
 * homes go in batches: one bulk read of their heads (and of the chunks touched), one transaction
 * of every change, each document under its etag. A batch that loses a race is retried home by
 * home. Every write is a merge by post id or a removal, so a batch that daprd's Redis applied in
 * part (its transactions do not roll back) is finished by the retry, never doubled.
 */
const ADD_BATCH = 50;
/** A removal reads every chunk of each home (≈ 20): fewer homes per batch. */
const REMOVE_BATCH = 10;
const MAX_ATTEMPTS = 50;

const headKey = (userId: string) => `home:${userId}`;
const chunkKey = (userId: string, id: string) => `home:${userId}:${id}`;
const newChunkId = () => randomBytes(6).toString('hex');

interface EntryList {
  entries: Entry[];
}

export class HomeStore {
  constructor(private readonly state: StateStore) {}

  async page(userId: string, limit: number, after?: HomePosition): Promise<Entry[]> {
    const head = (await this.state.get<HomeHead>(headKey(userId)))?.value;
    if (!head) return [];
    const chunks = head.chunks ?? [];
    const found: Entry[] = [];
    /** Takes entries after the cursor whose place in the timeline (from `start`) is within the cap. */
    const take = (entries: readonly Entry[], start: number) => {
      for (let i = 0; i < entries.length && found.length < limit && start + i < HOME_CAP; i++)
        if (olderThan(entries[i]!, after)) found.push(entries[i]!);
    };
    let { index, before } = pageStart(head, after);
    if (index < 0) take(head.entries, 0);
    index = Math.max(0, index);
    // Two chunks per read: a page (≤ 100) spans at most a few chunks of ≈ 40.
    while (found.length < limit && index < chunks.length && before < HOME_CAP) {
      const ids = chunks.slice(index, index + 2).map((c) => c.id);
      const read = await this.state.getMany<EntryList>(ids.map((id) => chunkKey(userId, id)));
      for (const id of ids) {
        const entries = read.get(chunkKey(userId, id))?.value.entries ?? [];
        take(entries, before);
        before += entries.length;
        index++;
      }
    }
    return found;
  }

  addToHomes(userIds: readonly string[], entries: readonly Entry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.inBatches(userIds, ADD_BATCH, (batch) => this.add(batch, entries));
  }

  removeFromHomes(userIds: readonly string[], drop: (e: Entry) => boolean): Promise<void> {
    return this.inBatches(userIds, REMOVE_BATCH, (batch) => this.remove(batch, drop));
  }

  /** Deletes a home timeline: its chunks, then its head (a retry after a crash finds them). */
  async drop(userId: string): Promise<void> {
    const head = (await this.state.get<HomeHead>(headKey(userId)))?.value;
    const keys = (head?.chunks ?? []).map((c) => chunkKey(userId, c.id));
    await this.state.transact(keys.map((key) => ({ operation: 'delete' as const, key })));
    await this.state.transact([{ operation: 'delete', key: headKey(userId) }]);
  }

  /** One transaction per batch; a batch that loses a race is redone home by home. */
  private async inBatches(
    userIds: readonly string[],
    size: number,
    write: (batch: readonly string[]) => Promise<void>,
  ): Promise<void> {
    const unique = [...new Set(userIds)];
    for (let i = 0; i < unique.length; i += size) {
      const batch = unique.slice(i, i + size);
      try {
        await write(batch);
      } catch (error) {
        if (!(error instanceof WriteConflict)) throw error;
        await Promise.all(
          batch.map((userId) => retryOnConflict(() => write([userId]), MAX_ATTEMPTS)),
        );
      }
    }
  }

  private async add(userIds: readonly string[], entries: readonly Entry[]): Promise<void> {
    const heads = await this.heads(userIds);
    const ops: TransactionOperation[] = [];
    const plans = userIds.map((userId) => {
      const current = heads.get(headKey(userId));
      return {
        userId,
        current,
        plan: planMerge(current?.value ?? { entries: [] }, entries, newChunkId),
      };
    });
    const touched = plans.flatMap(({ userId, plan }) =>
      [...plan.intoChunks.keys()].map((id) => chunkKey(userId, id)),
    );
    const chunks = await this.state.getMany<EntryList>(touched);
    for (const { userId, current, plan } of plans) {
      let head = plan.head;
      const counts = new Map<string, number>();
      for (const [id, incoming] of plan.intoChunks) {
        const stored = chunks.get(chunkKey(userId, id));
        const was = stored?.value.entries ?? [];
        const merged = mergeEntries(was, incoming, Infinity);
        if (merged.length === was.length) continue; // every entry was there already
        ops.push(guardedUpsert(chunkKey(userId, id), { entries: merged }, stored?.etag));
        counts.set(id, merged.length);
      }
      if (counts.size > 0) head = recounted(head ?? current!.value, counts);
      if (plan.sealed)
        ops.push(
          guardedUpsert(
            chunkKey(userId, plan.sealed.id),
            { entries: plan.sealed.entries },
            undefined,
          ),
        );
      if (head) ops.push(guardedUpsert(headKey(userId), head, current?.etag));
      for (const id of plan.dropped) ops.push({ operation: 'delete', key: chunkKey(userId, id) });
    }
    await this.state.transact(ops);
  }

  private async remove(userIds: readonly string[], drop: (e: Entry) => boolean): Promise<void> {
    const heads = await this.heads(userIds);
    const chunkKeys = userIds.flatMap((userId) =>
      (heads.get(headKey(userId))?.value.chunks ?? []).map((c) => chunkKey(userId, c.id)),
    );
    const chunks = await this.state.getMany<EntryList>(chunkKeys);
    const ops: TransactionOperation[] = [];
    for (const userId of userIds) {
      const current = heads.get(headKey(userId));
      if (!current) continue;
      const counts = new Map<string, number>();
      for (const ref of current.value.chunks ?? []) {
        const stored = chunks.get(chunkKey(userId, ref.id));
        const kept = (stored?.value.entries ?? []).filter((e) => !drop(e));
        if (stored && kept.length === stored.value.entries.length) continue;
        counts.set(ref.id, kept.length);
        const key = chunkKey(userId, ref.id);
        ops.push(
          kept.length === 0
            ? { operation: 'delete', key, ...(stored ? { etag: stored.etag } : {}) }
            : guardedUpsert(key, { entries: kept }, stored?.etag),
        );
      }
      const entries = current.value.entries.filter((e) => !drop(e));
      if (counts.size === 0 && entries.length === current.value.entries.length) continue;
      const head = recounted({ ...current.value, entries }, counts);
      ops.push(guardedUpsert(headKey(userId), head, current.etag));
    }
    await this.state.transact(ops);
  }

  private heads(userIds: readonly string[]): Promise<Map<string, StateEntry<HomeHead>>> {
    return this.state.getMany<HomeHead>(userIds.map(headKey));
  }
}
