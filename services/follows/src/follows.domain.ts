import { badRequest, domainEvent, notFound, type DomainEvent } from '@flock/kit';
import type { Counts } from './client/follows.client.js';
import type {
  Direction,
  GraphItem,
  Position,
  Relationship,
  RelationshipView,
} from './follows.schemas.js';

/** The graph storage the domain needs; follows.store.ts implements it over Dapr state. */
export interface GraphRepository {
  edge(followerId: string, followeeId: string): Promise<Relationship | undefined>;
  /**
   * Adds the edge to both users' indexes and counts, atomically with `event`.
   * Returns the stored edge: the existing one (and publishes nothing) if it was already there.
   */
  addEdge(
    edge: Relationship,
    event: DomainEvent,
  ): Promise<{ edge: Relationship; created: boolean }>;
  /** Removes the edge atomically with the event `makeEvent` builds; false if there was none. */
  removeEdge(
    followerId: string,
    followeeId: string,
    makeEvent: (edge: Relationship) => DomainEvent,
  ): Promise<boolean>;
  /** Newest first, strictly after `after`; `next` is set when more items follow. */
  list(
    userId: string,
    direction: Direction,
    limit: number,
    after?: Position,
  ): Promise<{ items: GraphItem[]; next?: Position }>;
  counts(userId: string): Promise<Counts>;
}

/** Whether an account exists, as its owner (the users service) knows it. */
export interface UserDirectory {
  exists(userId: string): Promise<boolean>;
}

export interface Clock {
  now(): Date;
}

export class FollowsDomain {
  constructor(
    private readonly graph: GraphRepository,
    private readonly users: UserDirectory,
    private readonly clock: Clock,
    private readonly newEventId: () => string,
  ) {}

  /** Idempotent: following twice is one follow (one `follow.created`). */
  async follow(followerId: string, followeeId: string): Promise<Relationship> {
    if (followerId === followeeId) {
      throw badRequest('You cannot follow yourself.', [
        { path: 'id', message: 'must be another user' },
      ]);
    }
    const existing = await this.graph.edge(followerId, followeeId);
    if (existing) return existing;
    if (!(await this.users.exists(followeeId)))
      throw notFound(`User ${followeeId} does not exist.`);
    const followedAt = this.clock.now().toISOString();
    const edge: Relationship = { followerId, followeeId, followedAt };
    const event = domainEvent(
      'follow.created',
      { followerId, followeeId, at: followedAt },
      this.newEventId(),
    );
    return (await this.graph.addEdge(edge, event)).edge;
  }

  /** Idempotent: unfollowing someone not followed changes nothing and publishes nothing. */
  async unfollow(followerId: string, followeeId: string): Promise<void> {
    await this.graph.removeEdge(followerId, followeeId, () =>
      this.deletedEvent(followerId, followeeId),
    );
  }

  list(userId: string, direction: Direction, limit: number, after?: Position) {
    return this.graph.list(userId, direction, limit, after);
  }

  /** Who follows whom between `me` and each of `others`, in their order. */
  async relationships(me: string, others: readonly string[]): Promise<RelationshipView[]> {
    return Promise.all(
      others.map(async (userId) => {
        const [following, followedBy] = await Promise.all([
          this.graph.edge(me, userId),
          this.graph.edge(userId, me),
        ]);
        return { userId, following: following !== undefined, followedBy: followedBy !== undefined };
      }),
    );
  }

  counts(userId: string): Promise<Counts> {
    return this.graph.counts(userId);
  }

  /**
   * Removes every edge of a deleted user, both directions, one `follow.deleted` per edge removed.
   * Safe to run again: what is already gone is skipped. Returns how many edges were removed.
   */
  async removeUser(userId: string): Promise<number> {
    let removed = 0;
    for (const direction of ['following', 'followers'] as const) {
      for (;;) {
        const { items } = await this.graph.list(userId, direction, 100);
        let removedNow = 0;
        for (const item of items) {
          const [followerId, followeeId] =
            direction === 'following' ? [userId, item.userId] : [item.userId, userId];
          if (
            await this.graph.removeEdge(followerId, followeeId, () =>
              this.deletedEvent(followerId, followeeId),
            )
          )
            removedNow++;
        }
        removed += removedNow;
        // Index and edge change in one transaction, so a listed item always has an edge; the
        // guard only stops a pass that found nothing to remove (an empty list included).
        if (removedNow === 0) break;
      }
    }
    return removed;
  }

  private deletedEvent(followerId: string, followeeId: string): DomainEvent {
    return domainEvent(
      'follow.deleted',
      { followerId, followeeId, at: this.clock.now().toISOString() },
      this.newEventId(),
    );
  }
}
