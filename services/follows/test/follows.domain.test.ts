import type { DomainEvent } from '@flock/kit';
import { FollowsDomain, type GraphRepository } from '../src/follows.domain.js';
import type { Direction, GraphItem, Position, Relationship } from '../src/follows.schemas.js';

/** The graph in memory: edges in insertion order, the published events in a list. */
class InMemoryGraph implements GraphRepository {
  readonly edges = new Map<string, Relationship>();
  readonly published: DomainEvent[] = [];

  async edge(followerId: string, followeeId: string) {
    return this.edges.get(`${followerId}>${followeeId}`);
  }
  async addEdge(edge: Relationship, event: DomainEvent) {
    const key = `${edge.followerId}>${edge.followeeId}`;
    const existing = this.edges.get(key);
    if (existing) return { edge: existing, created: false };
    this.edges.set(key, edge);
    this.published.push(event);
    return { edge, created: true };
  }
  async removeEdge(a: string, b: string, makeEvent: (edge: Relationship) => DomainEvent) {
    const edge = this.edges.get(`${a}>${b}`);
    if (!edge) return false;
    this.edges.delete(`${a}>${b}`);
    this.published.push(makeEvent(edge));
    return true;
  }
  async list(userId: string, direction: Direction, limit: number, after?: Position) {
    const all: GraphItem[] = [...this.edges.values()]
      .filter((e) => (direction === 'following' ? e.followerId : e.followeeId) === userId)
      .map((e) => ({
        userId: direction === 'following' ? e.followeeId : e.followerId,
        followedAt: e.followedAt,
      }))
      .reverse();
    const start = after ? all.findIndex((i) => i.userId === after.u) + 1 : 0;
    const items = all.slice(start, start + limit);
    const last = items.at(-1);
    return start + limit < all.length && last
      ? { items, next: { p: 0, u: last.userId, t: last.followedAt } }
      : { items };
  }
  async counts(userId: string) {
    const edges = [...this.edges.values()];
    return {
      followers: edges.filter((e) => e.followeeId === userId).length,
      following: edges.filter((e) => e.followerId === userId).length,
    };
  }
}

const [ann, bob, cid, dee] = ['a', 'b', 'c', 'd'].map(
  (c) => `00000000-0000-4000-8000-00000000000${c}`,
) as [string, string, string, string];

function setup(known = [ann, bob, cid, dee]) {
  const graph = new InMemoryGraph();
  let ids = 0;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const domain = new FollowsDomain(
    graph,
    { exists: async (id) => known.includes(id) },
    { now: () => new Date((clock += 1000)) },
    () => `event-${++ids}`,
  );
  return { graph, domain };
}

describe('follows domain (in-memory graph)', () => {
  test('when a user follows someone, then one edge and one follow.created are recorded', async () => {
    const { graph, domain } = setup();
    const edge = await domain.follow(ann, bob);
    expect(edge).toMatchObject({ followerId: ann, followeeId: bob });
    expect(graph.published.map((e) => [e.topic, e.data])).toEqual([
      ['follow.created', { followerId: ann, followeeId: bob, at: edge.followedAt }],
    ]);
  });

  test('when a user follows the same person twice, then it is one follow and one event', async () => {
    const { graph, domain } = setup();
    const first = await domain.follow(ann, bob);
    const second = await domain.follow(ann, bob);
    expect(second).toEqual(first);
    expect(graph.published).toHaveLength(1);
  });

  test('when a user follows themself, then 400 and nothing is recorded', async () => {
    const { graph, domain } = setup();
    await expect(domain.follow(ann, ann)).rejects.toMatchObject({ status: 400 });
    expect(graph.edges.size).toBe(0);
  });

  test('when the followee does not exist, then 404 and nothing is recorded', async () => {
    const { graph, domain } = setup([ann]);
    await expect(domain.follow(ann, bob)).rejects.toMatchObject({ status: 404 });
    expect(graph.published).toHaveLength(0);
  });

  test('when a user unfollows twice, then one follow.deleted is published', async () => {
    const { graph, domain } = setup();
    await domain.follow(ann, bob);
    await domain.unfollow(ann, bob);
    await domain.unfollow(ann, bob);
    expect(graph.published.map((e) => e.topic)).toEqual(['follow.created', 'follow.deleted']);
  });

  test('when a user is deleted, then every edge in both directions goes, one follow.deleted each', async () => {
    const { graph, domain } = setup();
    await domain.follow(ann, bob);
    await domain.follow(ann, cid);
    await domain.follow(dee, ann);
    await domain.follow(bob, cid);
    expect(await domain.removeUser(ann)).toBe(3);
    expect(await domain.removeUser(ann)).toBe(0);
    const deleted = graph.published.filter((e) => e.topic === 'follow.deleted').map((e) => e.data);
    expect(deleted).toHaveLength(3);
    expect([...graph.edges.values()]).toEqual([expect.objectContaining({ followerId: bob })]);
    expect(await domain.counts(ann)).toEqual({ followers: 0, following: 0 });
  });
});
