import {
  BACKFILL,
  HOME_CAP,
  TimelineDomain,
  mergeEntries,
  newerFirst,
  type EdgeState,
  type FollowerSet,
  type TimelineRepository,
} from '../src/timeline.domain.js';
import type { Entry, HomePosition, UserPosition } from '../src/timeline.schemas.js';
import { FakePosts } from './fake-posts.js';

/** Every document of the timeline store in plain maps. */
class InMemoryTimelines implements TimelineRepository {
  readonly homes = new Map<string, Entry[]>();
  readonly followerSets = new Map<string, FollowerSet>();
  readonly celebs = new Map<string, string[]>();
  readonly edges = new Map<string, EdgeState>();
  readonly posts = new Map<string, { entry?: Entry; deleted: boolean }>();

  /** The whole home timeline, newest first (the store's contract: the newest HOME_CAP). */
  all(userId: string) {
    return this.homes.get(userId) ?? [];
  }
  async home(userId: string, limit: number, after?: HomePosition) {
    return this.all(userId)
      .filter(
        (e) => !after || newerFirst(e, { postId: after.id, authorId: '', createdAt: after.t }) > 0,
      )
      .slice(0, limit);
  }
  async addToHomes(userIds: readonly string[], entries: readonly Entry[]) {
    for (const id of userIds) this.homes.set(id, mergeEntries(this.all(id), entries));
  }
  async removeFromHomes(userIds: readonly string[], drop: (e: Entry) => boolean) {
    for (const id of userIds)
      if (this.homes.has(id))
        this.homes.set(
          id,
          this.all(id).filter((e) => !drop(e)),
        );
  }
  async followers(authorId: string) {
    return this.followerSets.get(authorId) ?? { ids: [], celebrity: false };
  }
  async updateFollowers(authorId: string, change: (c: FollowerSet) => FollowerSet | undefined) {
    const current = await this.followers(authorId);
    const next = change(current);
    if (next) this.followerSets.set(authorId, next);
    return next ?? current;
  }
  async celebrities(userId: string) {
    return this.celebs.get(userId) ?? [];
  }
  async updateCelebrities(userId: string, change: (c: string[]) => string[] | undefined) {
    const next = change(this.celebs.get(userId) ?? []);
    if (next) this.celebs.set(userId, next);
  }
  async edge(f: string, a: string) {
    return this.edges.get(`${f}>${a}`);
  }
  async updateEdge(f: string, a: string, change: (c?: EdgeState) => EdgeState | undefined) {
    const next = change(this.edges.get(`${f}>${a}`));
    if (next) this.edges.set(`${f}>${a}`, next);
  }
  async addUserPost(entry: Entry) {
    const record = this.posts.get(entry.postId);
    if (record) return record.deleted ? ('deleted' as const) : ('exists' as const);
    this.posts.set(entry.postId, { entry, deleted: false });
    return 'added' as const;
  }
  async removeUserPost(postId: string) {
    this.posts.set(postId, { deleted: true });
  }
  async isDeleted(postId: string) {
    return this.posts.get(postId)?.deleted === true;
  }
  private postsOf(userId: string): Entry[] {
    return [...this.posts.values()]
      .flatMap((p) => (p.entry && !p.deleted && p.entry.authorId === userId ? [p.entry] : []))
      .sort(newerFirst);
  }
  async latestUserPosts(userIds: readonly string[], count: number) {
    return userIds.flatMap((id) => this.postsOf(id).slice(0, count));
  }
  async userPosts(userId: string, limit: number, after?: UserPosition) {
    const all = this.postsOf(userId).filter(
      (e) => !after || newerFirst(e, { postId: after.id, authorId: '', createdAt: after.t }) > 0,
    );
    const items = all.slice(0, limit);
    const last = items.at(-1);
    return all.length > limit && last
      ? { items, next: { p: 0, t: last.createdAt, id: last.postId } }
      : { items };
  }
  async dropUser(userId: string) {
    this.homes.delete(userId);
    this.celebs.delete(userId);
    this.followerSets.delete(userId);
  }
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const post = (postId: string, authorId: string, seconds: number): Entry => ({
  postId,
  authorId,
  createdAt: at(seconds),
});

function setup(celebrityFollowers = 10_000) {
  const repo = new InMemoryTimelines();
  const lags: number[] = [];
  const announced: string[][] = [];
  const posts = new FakePosts();
  const domain = new TimelineDomain(
    repo,
    posts,
    { celebrityFollowers },
    { now: () => new Date(T0 + 3_600_000) },
    { observeLag: (s) => lags.push(s), announce: (userIds) => announced.push([...userIds]) },
  );
  const ids = async (userId: string) => (await domain.home(userId, 100)).items.map((e) => e.postId);
  let tick = 0;
  const follow = (f: string, a: string) =>
    domain.followCreated({ followerId: f, followeeId: a, at: at(++tick) });
  const unfollow = (f: string, a: string) =>
    domain.followDeleted({ followerId: f, followeeId: a, at: at(++tick) });
  return { repo, posts, domain, ids, lags, announced, follow, unfollow };
}

describe('timeline domain (in-memory store)', () => {
  test('when posts arrive out of order, then the home timeline is newest first', async () => {
    const { domain, ids, follow } = setup();
    await follow('fan', 'ann');
    await domain.postCreated(post('p2', 'ann', 2));
    await domain.postCreated(post('p3', 'ann', 3));
    await domain.postCreated(post('p1', 'ann', 1));
    expect(await ids('fan')).toEqual(['p3', 'p2', 'p1']);
    expect(await ids('ann')).toEqual(['p3', 'p2', 'p1']);
  });

  test(`when more than ${HOME_CAP} posts arrive, then the home timeline keeps the newest ${HOME_CAP}`, async () => {
    const { domain, repo, follow } = setup();
    await follow('fan', 'ann');
    for (let i = 1; i <= HOME_CAP + 5; i++) await domain.postCreated(post(`p${i}`, 'ann', i));
    const home = repo.all('fan');
    expect(home).toHaveLength(HOME_CAP);
    expect(home[0]!.postId).toBe(`p${HOME_CAP + 5}`);
    expect(home.at(-1)!.postId).toBe('p6');
    // A post older than the whole timeline does not get in.
    await domain.postCreated(post('old', 'ann', 0));
    expect(repo.all('fan').some((e) => e.postId === 'old')).toBe(false);
  });

  test(`when a user follows someone, then their ${BACKFILL} newest posts are merged in`, async () => {
    const { domain, ids, follow } = setup();
    for (let i = 1; i <= 25; i++) await domain.postCreated(post(`p${i}`, 'ann', i));
    await domain.postCreated(post('mine', 'fan', 100));
    await follow('fan', 'ann');
    const home = await ids('fan');
    expect(home).toHaveLength(BACKFILL + 1);
    expect(home.slice(0, 3)).toEqual(['mine', 'p25', 'p24']);
    expect(home.at(-1)).toBe('p6');
  });

  test('when a user unfollows, then the followee entries leave their home timeline only', async () => {
    const { domain, ids, follow, unfollow } = setup();
    await follow('fan', 'ann');
    await follow('fan', 'bob');
    await follow('other', 'ann');
    await domain.postCreated(post('a1', 'ann', 1));
    await domain.postCreated(post('b1', 'bob', 2));
    await unfollow('fan', 'ann');
    expect(await ids('fan')).toEqual(['b1']);
    expect(await ids('other')).toEqual(['a1']);
    await domain.postCreated(post('a2', 'ann', 3));
    expect(await ids('fan')).toEqual(['b1']);
  });

  test('when a post is deleted, then it leaves every timeline, and a late create does not bring it back', async () => {
    const { domain, ids, follow } = setup();
    await follow('fan', 'ann');
    await domain.postCreated(post('a1', 'ann', 1));
    await domain.postCreated(post('a2', 'ann', 2));
    await domain.postDeleted({ postId: 'a1', authorId: 'ann' });
    expect(await ids('fan')).toEqual(['a2']);
    expect(await ids('ann')).toEqual(['a2']);
    expect((await domain.userTimeline('ann', 10)).items.map((e) => e.postId)).toEqual(['a2']);
    await domain.postCreated(post('a1', 'ann', 1));
    expect(await ids('fan')).toEqual(['a2']);
  });

  test('when an older follow event arrives after a newer unfollow, then it is ignored', async () => {
    const { domain, ids } = setup();
    await domain.postCreated(post('a1', 'ann', 1));
    await domain.followDeleted({ followerId: 'fan', followeeId: 'ann', at: at(20) });
    await domain.followCreated({ followerId: 'fan', followeeId: 'ann', at: at(10) });
    expect(await ids('fan')).toEqual([]);
    // The same follow applied twice (a redelivery) is one follow.
    await domain.followCreated({ followerId: 'fan', followeeId: 'ann', at: at(30) });
    await domain.followCreated({ followerId: 'fan', followeeId: 'ann', at: at(30) });
    expect(await ids('fan')).toEqual(['a1']);
  });

  test('when a poster passes the celebrity threshold, then posts are merged at read time, not pushed', async () => {
    const { domain, repo, ids, follow, unfollow } = setup(2);
    await domain.postCreated(post('early', 'star', 1));
    for (const fan of ['f1', 'f2', 'f3']) await follow(fan, 'star');
    expect(repo.followerSets.get('star')?.celebrity).toBe(true);
    await domain.postCreated(post('late', 'star', 2));
    expect(repo.all('f3').map((e) => e.postId)).not.toContain('late');
    expect(await ids('f3')).toEqual(['late', 'early']);
    expect(await ids('f1')).toEqual(['late', 'early']);
    expect(await repo.celebrities('f1')).toEqual(['star']);
    // Back under the threshold: pushed again, and the recent posts are in the home timelines.
    await unfollow('f3', 'star');
    expect(repo.followerSets.get('star')?.celebrity).toBe(false);
    expect(await repo.celebrities('f1')).toEqual([]);
    expect(repo.all('f1').map((e) => e.postId)).toEqual(['late', 'early']);
    expect(await ids('f3')).toEqual([]);
  });

  test('when the home timeline is read page by page, then the cursor continues without gaps', async () => {
    const { domain, follow } = setup();
    await follow('fan', 'ann');
    for (let i = 1; i <= 7; i++) await domain.postCreated(post(`p${i}`, 'ann', i % 3));
    const all = (await domain.home('fan', 100)).items.map((e) => e.postId);
    const first = await domain.home('fan', 4);
    const second = await domain.home('fan', 4, first.next);
    expect(second.next).toBeUndefined();
    expect([...first.items, ...second.items].map((e) => e.postId)).toEqual(all);
  });

  test('when a user is deleted, then their timelines go and their posts leave followers', async () => {
    const { domain, repo, ids, follow } = setup();
    await follow('fan', 'gone');
    await domain.postCreated(post('g1', 'gone', 1));
    await domain.userDeleted('gone');
    expect(await ids('fan')).toEqual([]);
    expect(repo.homes.has('gone')).toBe(false);
  });

  test('when a post lands in home timelines, then the fan-out lag is observed for each', async () => {
    const { domain, lags, follow } = setup();
    await follow('fan', 'ann');
    await domain.postCreated(post('p1', 'ann', 0));
    expect(lags).toEqual([3600, 3600]);
  });

  test('when a post lands in followers’ homes, then they are announced (not its author, nobody for a celebrity’s post); a backfill announces the new follower', async () => {
    const { domain, announced, follow } = setup(2);
    await follow('fan', 'ann');
    await follow('pal', 'ann');
    expect(announced).toEqual([]); // ann had no posts to backfill
    await domain.postCreated(post('p1', 'ann', 0));
    expect(announced).toEqual([['fan', 'pal']]);
    await follow('new', 'bob');
    await domain.postCreated(post('p2', 'bob', 1));
    await follow('late', 'bob');
    expect(announced.slice(1)).toEqual([['new'], ['late']]);
    announced.length = 0;
    await follow('third', 'ann'); // over the threshold of 2: ann is a celebrity now
    await domain.postCreated(post('p3', 'ann', 2));
    expect(announced).toEqual([]); // merged at read time: there is nothing to push
  });
});
