import {
  AppError,
  retryOnConflict as retryUnit,
  type DomainEvent,
  type Outbox,
  type StateEntry,
  type StateStore,
  type TransactionOperation,
  guardedUpsert,
} from '@flock/kit';
import type { UsersClient } from '@flock/users/client';
import type { GraphRepository, UserDirectory } from './follows.domain.js';
import type { Counts } from './client/follows.client.js';
import type { Direction, GraphItem, Position, Relationship } from './follows.schemas.js';

/*
 * Key layout in the follows store:
 *   edge:<followerId>:<followeeId>  the relationship, with the index page holding it on each side
 *   <direction>:<userId>            index head {count, lastPage}: counts are O(1)
 *   <direction>:<userId>:<n>        index page n: up to PAGE_SIZE items in the order they were added
 * (direction = followers | following). A follow appends to the last page of both users (a new page
 * when full); an unfollow removes the item from the page its edge names. Lists read pages from the
 * last one down, so a page of results costs O(limit / PAGE_SIZE + 1) reads. Every change is one
 * transaction over the edge, both heads and both pages, guarded by etags (or insert-only), that
 * also holds the outbox record of its event; a lost race re-reads and retries.
 */
export const PAGE_SIZE = 50;
// Hot documents (a popular user's index, a busy home timeline) see many writers at once.
const MAX_ATTEMPTS = 50;
const retryOnConflict = <T>(unit: () => Promise<T>) => retryUnit(unit, MAX_ATTEMPTS);

const edgeKey = (followerId: string, followeeId: string) => `edge:${followerId}:${followeeId}`;
const headKey = (direction: Direction, userId: string) => `${direction}:${userId}`;
const pageKey = (direction: Direction, userId: string, page: number) =>
  `${direction}:${userId}:${page}`;

interface Head {
  count: number;
  lastPage: number;
}
interface IndexPage {
  items: GraphItem[];
}
interface EdgeRecord extends Relationship {
  /** The page of the follower's `following` index that lists the followee. */
  followingPage: number;
  /** The page of the followee's `followers` index that lists the follower. */
  followersPage: number;
}

const toRelationship = ({ followerId, followeeId, followedAt }: EdgeRecord): Relationship => ({
  followerId,
  followeeId,
  followedAt,
});

export class DaprGraphRepository implements GraphRepository {
  constructor(
    private readonly state: StateStore,
    private readonly outbox: Outbox,
  ) {}

  async edge(followerId: string, followeeId: string): Promise<Relationship | undefined> {
    const found = await this.state.get<EdgeRecord>(edgeKey(followerId, followeeId));
    return found && toRelationship(found.value);
  }

  addEdge(edge: Relationship, event: DomainEvent) {
    return retryOnConflict(async () => {
      const { followerId, followeeId } = edge;
      const existing = await this.state.get<EdgeRecord>(edgeKey(followerId, followeeId));
      if (existing) return { edge: toRelationship(existing.value), created: false };
      const [following, followers] = await Promise.all([
        this.appendPlan('following', followerId, {
          userId: followeeId,
          followedAt: edge.followedAt,
        }),
        this.appendPlan('followers', followeeId, {
          userId: followerId,
          followedAt: edge.followedAt,
        }),
      ]);
      const record: EdgeRecord = {
        ...edge,
        followingPage: following.page,
        followersPage: followers.page,
      };
      await this.outbox.commit(
        [
          {
            operation: 'upsert',
            key: edgeKey(followerId, followeeId),
            value: record,
            concurrency: 'first-write',
          },
          ...following.ops,
          ...followers.ops,
        ],
        [event],
      );
      return { edge, created: true };
    });
  }

  removeEdge(
    followerId: string,
    followeeId: string,
    makeEvent: (edge: Relationship) => DomainEvent,
  ): Promise<boolean> {
    return retryOnConflict(async () => {
      const existing = await this.state.get<EdgeRecord>(edgeKey(followerId, followeeId));
      if (!existing) return false;
      const record = existing.value;
      const [following, followers] = await Promise.all([
        this.removePlan('following', followerId, record.followingPage, followeeId),
        this.removePlan('followers', followeeId, record.followersPage, followerId),
      ]);
      await this.outbox.commit(
        [
          { operation: 'delete', key: edgeKey(followerId, followeeId), etag: existing.etag },
          ...following,
          ...followers,
        ],
        [makeEvent(toRelationship(record))],
      );
      return true;
    });
  }

  async list(
    userId: string,
    direction: Direction,
    limit: number,
    after?: Position,
  ): Promise<{ items: GraphItem[]; next?: Position }> {
    const head = await this.state.get<Head>(headKey(direction, userId));
    if (!head) return { items: [] };
    const found: Array<{ item: GraphItem; page: number }> = [];
    let page = after ? Math.min(after.p, head.value.lastPage) : head.value.lastPage;
    const batch = Math.ceil((limit + 1) / PAGE_SIZE) + 1;
    while (page >= 0 && found.length <= limit) {
      const numbers = Array.from({ length: Math.min(batch, page + 1) }, (_, i) => page - i);
      const pages = await this.state.getMany<IndexPage>(
        numbers.map((n) => pageKey(direction, userId, n)),
      );
      for (const n of numbers) {
        let items = pages.get(pageKey(direction, userId, n))?.value.items ?? [];
        if (after && n === after.p) items = olderThan(items, after);
        for (let i = items.length - 1; i >= 0 && found.length <= limit; i--)
          found.push({ item: items[i]!, page: n });
      }
      page -= numbers.length;
    }
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return found.length > limit && last
      ? {
          items: items.map((f) => f.item),
          next: { p: last.page, u: last.item.userId, t: last.item.followedAt },
        }
      : { items: items.map((f) => f.item) };
  }

  async counts(userId: string): Promise<Counts> {
    const heads = await this.state.getMany<Head>([
      headKey('followers', userId),
      headKey('following', userId),
    ]);
    return {
      followers: heads.get(headKey('followers', userId))?.value.count ?? 0,
      following: heads.get(headKey('following', userId))?.value.count ?? 0,
    };
  }

  /** The writes that append `item` to the last index page of `userId` (a new page when full). */
  private async appendPlan(direction: Direction, userId: string, item: GraphItem) {
    const head = await this.state.get<Head>(headKey(direction, userId));
    const lastPage = head?.value.lastPage ?? 0;
    const last = await this.state.get<IndexPage>(pageKey(direction, userId, lastPage));
    const full = (last?.value.items.length ?? 0) >= PAGE_SIZE;
    const page = full ? lastPage + 1 : lastPage;
    const ops: TransactionOperation[] = [
      guardedUpsert(
        headKey(direction, userId),
        { count: (head?.value.count ?? 0) + 1, lastPage: page },
        head?.etag,
      ),
      full
        ? guardedUpsert(pageKey(direction, userId, page), { items: [item] }, undefined)
        : guardedUpsert(
            pageKey(direction, userId, page),
            { items: [...(last?.value.items ?? []), item] },
            last?.etag,
          ),
    ];
    return { page, ops };
  }

  /** The writes that take `otherId` out of page `page` of `userId`'s index. */
  private async removePlan(
    direction: Direction,
    userId: string,
    page: number,
    otherId: string,
  ): Promise<TransactionOperation[]> {
    const entries = await this.state.getMany<Head | IndexPage>([
      headKey(direction, userId),
      pageKey(direction, userId, page),
    ]);
    const head = entries.get(headKey(direction, userId)) as StateEntry<Head> | undefined;
    const current = entries.get(pageKey(direction, userId, page)) as
      StateEntry<IndexPage> | undefined;
    if (!head || !current)
      throw new AppError('internal', `index ${direction}:${userId} is torn`, 500);
    const items = current.value.items.filter((i) => i.userId !== otherId);
    const pageOp: TransactionOperation =
      items.length === 0 && page !== head.value.lastPage
        ? { operation: 'delete', key: pageKey(direction, userId, page), etag: current.etag }
        : guardedUpsert(pageKey(direction, userId, page), { items }, current?.etag);
    return [
      guardedUpsert(
        headKey(direction, userId),
        { count: Math.max(0, head.value.count - 1), lastPage: head.value.lastPage },
        head?.etag,
      ),
      pageOp,
    ];
  }
}

/** The items of a page that were added before the cursor's item (or, if it left, before its time). */
function olderThan(items: GraphItem[], after: Position): GraphItem[] {
  const index = items.findIndex((i) => i.userId === after.u);
  return index >= 0 ? items.slice(0, index) : items.filter((i) => i.followedAt < after.t);
}

/** Asks the users service, the owner of accounts, whether a user exists. */
export class DaprUserDirectory implements UserDirectory {
  constructor(private readonly users: UsersClient) {}

  async exists(userId: string): Promise<boolean> {
    return (await this.users.profile(userId)) !== undefined;
  }
}
