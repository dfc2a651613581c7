import {
  retryOnConflict as retryUnit,
  updateWithRetry,
  type StateStore,
  type TransactionOperation,
  guardedUpsert,
} from '@flock/kit';
import {
  newerFirst,
  type Change,
  type EdgeState,
  type FollowerSet,
  type TimelineRepository,
} from './timeline.domain.js';
import { HomeStore } from './timeline.home-store.js';
import type { Entry, HomePosition, UserPosition } from './timeline.schemas.js';

/*
 * Key layout in the timeline store (nobody else's store is read: the graph comes from events):
 *   home:<userId>[:<chunkId>]   home timeline: a head and sealed chunks (timeline.home-layout.ts)
 *   posts:<userId>              user timeline head {lastPage}
 *   posts:<userId>:<n>          user timeline page n {entries}, newest first, up to PAGE_SIZE
 *   post:<postId>               {authorId, createdAt, page, deleted}: where a post sits; a tombstone once deleted
 *   followers:<userId>          the projection of who follows userId {ids, celebrity}
 *   celebrities:<userId>        {ids}: the celebrities userId follows (merged at read time)
 *   edge:<followerId>:<followeeId>  {at, active}: the last follow event applied to the edge
 * Single documents change by read-modify-write under their etag; a lost race re-reads.
 */
export const PAGE_SIZE = 100;
// Hot documents (a popular user's index, a busy home timeline) see many writers at once.
const MAX_ATTEMPTS = 50;
const retryOnConflict = <T>(unit: () => Promise<T>) => retryUnit(unit, MAX_ATTEMPTS);
const TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600;

const headKey = (userId: string) => `posts:${userId}`;
const pageKey = (userId: string, page: number) => `posts:${userId}:${page}`;
const postKey = (postId: string) => `post:${postId}`;
const followersKey = (userId: string) => `followers:${userId}`;
const celebritiesKey = (userId: string) => `celebrities:${userId}`;
const edgeKey = (followerId: string, followeeId: string) => `edge:${followerId}:${followeeId}`;

interface Head {
  lastPage: number;
}
interface EntryList {
  entries: Entry[];
}
interface IdList {
  ids: string[];
}
interface PostRecord {
  authorId: string;
  page?: number;
  deleted: boolean;
}

export class DaprTimelineRepository implements TimelineRepository {
  private readonly homes: HomeStore;

  constructor(private readonly state: StateStore) {
    this.homes = new HomeStore(state);
  }

  home(userId: string, limit: number, after?: HomePosition): Promise<Entry[]> {
    return this.homes.page(userId, limit, after);
  }

  addToHomes(userIds: readonly string[], entries: readonly Entry[]): Promise<void> {
    return this.homes.addToHomes(userIds, entries);
  }

  removeFromHomes(userIds: readonly string[], drop: (e: Entry) => boolean): Promise<void> {
    return this.homes.removeFromHomes(userIds, drop);
  }

  async followers(authorId: string): Promise<FollowerSet> {
    return (
      (await this.state.get<FollowerSet>(followersKey(authorId)))?.value ?? {
        ids: [],
        celebrity: false,
      }
    );
  }

  async updateFollowers(authorId: string, change: Change<FollowerSet>): Promise<FollowerSet> {
    const empty: FollowerSet = { ids: [], celebrity: false };
    return (
      (await this.update<FollowerSet>(followersKey(authorId), (c) => change(c ?? empty))) ?? empty
    );
  }

  async celebrities(userId: string): Promise<string[]> {
    return (await this.state.get<IdList>(celebritiesKey(userId)))?.value.ids ?? [];
  }

  async updateCelebrities(userId: string, change: Change<string[]>): Promise<void> {
    await this.update<IdList>(celebritiesKey(userId), (current) => {
      const next = change(current?.ids ?? []);
      return next && { ids: next };
    });
  }

  async edge(followerId: string, followeeId: string): Promise<EdgeState | undefined> {
    return (await this.state.get<EdgeState>(edgeKey(followerId, followeeId)))?.value;
  }

  async updateEdge(
    followerId: string,
    followeeId: string,
    change: Change<EdgeState | undefined>,
  ): Promise<void> {
    await this.update<EdgeState>(edgeKey(followerId, followeeId), change);
  }

  addUserPost(entry: Entry): Promise<'added' | 'exists' | 'deleted'> {
    return retryOnConflict(async () => {
      const record = await this.state.get<PostRecord>(postKey(entry.postId));
      if (record?.value.deleted) return 'deleted';
      if (record) return 'exists';
      const head = await this.state.get<Head>(headKey(entry.authorId));
      const lastPage = head?.value.lastPage ?? 0;
      const last = await this.state.get<EntryList>(pageKey(entry.authorId, lastPage));
      const full = (last?.value.entries.length ?? 0) >= PAGE_SIZE;
      const page = full ? lastPage + 1 : lastPage;
      const entries = full ? [entry] : [...(last?.value.entries ?? []), entry].sort(newerFirst);
      await this.state.transact([
        ...(full || !head
          ? [guardedUpsert(headKey(entry.authorId), { lastPage: page }, head?.etag)]
          : []),
        guardedUpsert(pageKey(entry.authorId, page), { entries }, full ? undefined : last?.etag),
        guardedUpsert(
          postKey(entry.postId),
          { authorId: entry.authorId, page, deleted: false } satisfies PostRecord,
          undefined, // no record yet: insert only
        ),
      ]);
      return 'added';
    });
  }

  removeUserPost(postId: string, authorId: string): Promise<void> {
    return retryOnConflict(async () => {
      const record = await this.state.get<PostRecord>(postKey(postId));
      if (record?.value.deleted) return;
      const page = record?.value.page;
      const current =
        page === undefined ? undefined : await this.state.get<EntryList>(pageKey(authorId, page));
      await this.state.transact([
        {
          ...guardedUpsert(
            postKey(postId),
            { authorId, deleted: true } satisfies PostRecord,
            record?.etag,
          ),
          ttlInSeconds: TOMBSTONE_TTL_SECONDS,
        } as TransactionOperation,
        ...(current && page !== undefined
          ? [
              guardedUpsert(
                pageKey(authorId, page),
                { entries: current.value.entries.filter((e) => e.postId !== postId) },
                current?.etag,
              ),
            ]
          : []),
      ]);
    });
  }

  async isDeleted(postId: string): Promise<boolean> {
    return (await this.state.get<PostRecord>(postKey(postId)))?.value.deleted === true;
  }

  async latestUserPosts(userIds: readonly string[], count: number): Promise<Entry[]> {
    if (userIds.length === 0) return [];
    const heads = await this.state.getMany<Head>(userIds.map(headKey));
    // The newest `count` posts are in the last page, or the last two when it is nearly empty.
    const keys = userIds.flatMap((id) => {
      const last = heads.get(headKey(id))?.value.lastPage;
      if (last === undefined) return [];
      return last > 0 ? [pageKey(id, last), pageKey(id, last - 1)] : [pageKey(id, last)];
    });
    const pages = await this.state.getMany<EntryList>(keys);
    const byAuthor = new Map<string, Entry[]>();
    for (const { value } of pages.values())
      for (const e of value.entries)
        byAuthor.set(e.authorId, [...(byAuthor.get(e.authorId) ?? []), e]);
    return [...byAuthor.values()].flatMap((entries) => entries.sort(newerFirst).slice(0, count));
  }

  async userPosts(
    userId: string,
    limit: number,
    after?: UserPosition,
  ): Promise<{ items: Entry[]; next?: UserPosition }> {
    const head = await this.state.get<Head>(headKey(userId));
    if (!head) return { items: [] };
    const found: Array<{ entry: Entry; page: number }> = [];
    let page = after ? Math.min(after.p, head.value.lastPage) : head.value.lastPage;
    const batch = Math.ceil((limit + 1) / PAGE_SIZE) + 1;
    while (page >= 0 && found.length <= limit) {
      const numbers = Array.from({ length: Math.min(batch, page + 1) }, (_, i) => page - i);
      const pages = await this.state.getMany<EntryList>(numbers.map((n) => pageKey(userId, n)));
      for (const n of numbers) {
        for (const entry of pages.get(pageKey(userId, n))?.value.entries ?? []) {
          if (found.length > limit) break;
          if (
            after &&
            newerFirst(entry, { postId: after.id, authorId: '', createdAt: after.t }) <= 0
          )
            continue;
          found.push({ entry, page: n });
        }
      }
      page -= numbers.length;
    }
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return found.length > limit && last
      ? {
          items: items.map((f) => f.entry),
          next: { p: last.page, t: last.entry.createdAt, id: last.entry.postId },
        }
      : { items: items.map((f) => f.entry) };
  }

  async dropUser(userId: string): Promise<void> {
    const head = await this.state.get<Head>(headKey(userId));
    const pages = Array.from({ length: (head?.value.lastPage ?? -1) + 1 }, (_, n) =>
      pageKey(userId, n),
    );
    await this.homes.drop(userId);
    const keys = [celebritiesKey(userId), followersKey(userId), ...pages];
    // Pages first, the head last: a retry after a crash still finds the pages.
    for (let i = 0; i < keys.length; i += 100)
      await this.state.transact(
        keys.slice(i, i + 100).map((key) => ({ operation: 'delete' as const, key })),
      );
    await this.state.transact([{ operation: 'delete', key: headKey(userId) }]);
  }

  /** Read-modify-write of one document under its etag; `change` returning undefined writes nothing. */
  private update<T>(key: string, change: (current: T | undefined) => T | undefined) {
    return updateWithRetry(this.state, key, change, MAX_ATTEMPTS);
  }
}
