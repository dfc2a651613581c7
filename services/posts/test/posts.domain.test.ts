import { AppError } from '@flock/kit';
import { PostsDomain } from '../src/posts.domain.js';
import { createPostBody } from '../src/posts.schemas.js';
import { characterCount } from '@flock/kit';
import { hashtagsOf, mentionsOf } from '../src/posts.text.js';
import { FakePostRepository } from './fake-repository.js';

const alice = { id: 'u-alice', username: 'alice' };
const bob = { id: 'u-bob', username: 'bob' };

function setup() {
  let tick = Date.parse('2026-01-01T00:00:00.000Z');
  const repo = new FakePostRepository();
  const domain = new PostsDomain(repo, { now: () => new Date((tick += 1000)) });
  return { repo, domain };
}

async function rejects(promise: Promise<unknown>, status: number): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(AppError);
  await expect(promise).rejects.toMatchObject({ status });
}

const topics = (repo: FakePostRepository) => repo.events.map((e) => e.topic);

describe('post text rules', () => {
  test('when a text has hashtags and mentions, then they are found lower-case and distinct', () => {
    const text = '#Hello @Bob and #hello #2024 #ok_go a@b.com @al x#notag @ALICE http://x/#frag';
    expect(hashtagsOf(text)).toEqual(['hello', 'ok_go']);
    expect(mentionsOf(text)).toEqual(['bob', 'alice']);
  });

  test('when a text has emoji with modifiers and flags, then each counts as one character', () => {
    expect(characterCount('👍🏽🇫🇷é')).toBe(3);
    expect(createPostBody.safeParse({ text: '👨‍👩‍👧'.repeat(500) }).success).toBe(true);
    expect(createPostBody.safeParse({ text: 'a'.repeat(501) }).success).toBe(false);
  });

  test('when a text is whitespace only, then it is rejected as empty', () => {
    expect(createPostBody.safeParse({ text: ' \n\t ' }).success).toBe(false);
    expect(createPostBody.parse({ text: '  hi  ' }).text).toBe('hi');
  });
});

describe('posts domain', () => {
  test('when a post is created, then it is stored with tags, counted for its author and announced', async () => {
    const { repo, domain } = setup();
    const { post, created } = await domain.create(alice, { text: 'Hi #Flock @bob' });
    expect(created).toBe(true);
    expect(post).toMatchObject({ authorId: alice.id, hashtags: ['flock'], mentions: ['bob'] });
    expect(await domain.get(post.id)).toEqual(post);
    expect(await domain.authorCounts(alice.id)).toEqual({ posts: 1 });
    expect(repo.events[0]).toMatchObject({
      topic: 'post.created',
      data: { postId: post.id, authorId: alice.id, hashtags: ['flock'], mentions: ['bob'] },
    });
  });

  test('when the same idempotency key is used twice, then the first post is returned', async () => {
    const { repo, domain } = setup();
    const first = await domain.create(alice, { text: 'once' }, 'key-1');
    const again = await domain.create(alice, { text: 'once' }, 'key-1');
    const other = await domain.create(bob, { text: 'once' }, 'key-1');
    expect(again).toEqual({ post: first.post, created: false });
    expect(other.post.id).not.toBe(first.post.id);
    expect(topics(repo)).toEqual(['post.created', 'post.created']);
  });

  test('when a concurrent request claims the same idempotency key first, then the loser replays it', async () => {
    const { repo, domain } = setup();
    let winner = '';
    repo.beforeCommit = () => {
      winner = 'winner-id';
      repo.put(`post:${winner}`, {
        kind: 'post',
        id: winner,
        authorId: alice.id,
        authorUsername: 'alice',
        text: 'race',
        hashtags: [],
        mentions: [],
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
        sortKey: '2026-01-01T00:00:00.000Z|winner-id',
        likesCount: 0,
        commentsCount: 0,
        repliesCount: 0,
      });
      repo.put(`idem:${alice.id}:k`, { postId: winner });
    };
    const result = await domain.create(alice, { text: 'race' }, 'k');
    expect(result).toMatchObject({ created: false, post: { id: 'winner-id' } });
  });

  test('when replying, then the parent counts the reply and the thread shows both', async () => {
    const { domain } = setup();
    const root = (await domain.create(alice, { text: 'root' })).post;
    const reply = (await domain.create(bob, { text: 'reply', inReplyTo: root.id })).post;
    const deeper = (await domain.create(alice, { text: 'deeper', inReplyTo: reply.id })).post;
    expect((await domain.get(root.id)).repliesCount).toBe(1);
    const thread = await domain.thread(reply.id);
    expect(thread.ancestors.map((p) => p.id)).toEqual([root.id]);
    expect(thread.replies.map((p) => p.id)).toEqual([deeper.id]);
    expect(thread.repliesTruncated).toBe(false);
  });

  test('when replying to an unknown or deleted post, then 404', async () => {
    const { domain } = setup();
    await rejects(domain.create(alice, { text: 'x', inReplyTo: 'nope' }), 404);
    const root = (await domain.create(alice, { text: 'root' })).post;
    await domain.remove(alice, root.id);
    await rejects(domain.create(bob, { text: 'x', inReplyTo: root.id }), 404);
  });

  test('when a parent is deleted, then its replies stay and the thread shows a tombstone', async () => {
    const { domain } = setup();
    const root = (await domain.create(alice, { text: 'root' })).post;
    const reply = (await domain.create(bob, { text: 'reply', inReplyTo: root.id })).post;
    await domain.remove(alice, root.id);
    expect((await domain.get(reply.id)).inReplyTo).toBe(root.id);
    expect((await domain.thread(reply.id)).ancestors).toEqual([{ id: root.id, deleted: true }]);
    await rejects(domain.get(root.id), 404);
  });

  test('when someone else edits or deletes a post, then 403 and nothing changes', async () => {
    const { repo, domain } = setup();
    const post = (await domain.create(alice, { text: 'mine' })).post;
    await rejects(domain.update(bob, post.id, { text: 'hacked' }), 403);
    await rejects(domain.remove(bob, post.id), 403);
    expect((await domain.get(post.id)).text).toBe('mine');
    expect(topics(repo)).toEqual(['post.created']);
  });

  test('when the author edits, then tags are parsed again and post.updated is published', async () => {
    const { repo, domain } = setup();
    const post = (await domain.create(alice, { text: '#old' })).post;
    const updated = await domain.update(alice, post.id, { text: '#New @carol' });
    expect(updated).toMatchObject({ hashtags: ['new'], mentions: ['carol'], text: '#New @carol' });
    expect(repo.events.at(-1)).toMatchObject({
      topic: 'post.updated',
      data: { hashtags: ['new'] },
    });
  });

  test('when liking twice, then there is one like and one like.created', async () => {
    const { repo, domain } = setup();
    const post = (await domain.create(alice, { text: 'like me' })).post;
    expect(await domain.like(bob, post.id)).toEqual({
      postId: post.id,
      liked: true,
      likesCount: 1,
    });
    expect(await domain.like(bob, post.id)).toEqual({
      postId: post.id,
      liked: true,
      likesCount: 1,
    });
    expect((await domain.likes(post.id, 0, 10)).items).toHaveLength(1);
    expect(topics(repo)).toEqual(['post.created', 'like.created']);
    expect(repo.events.at(-1)?.data).toMatchObject({ postAuthorId: alice.id, userId: bob.id });
  });

  test('when unliking twice, then the like goes once and like.deleted is published once', async () => {
    const { repo, domain } = setup();
    const post = (await domain.create(alice, { text: 'like me' })).post;
    await domain.like(bob, post.id);
    expect(await domain.unlike(bob, post.id)).toMatchObject({ liked: false, likesCount: 0 });
    expect(await domain.unlike(bob, post.id)).toMatchObject({ liked: false, likesCount: 0 });
    expect(topics(repo).filter((t) => t === 'like.deleted')).toHaveLength(1);
  });

  test('when a like races with an edit, then the like is retried and counted', async () => {
    const { repo, domain } = setup();
    const post = (await domain.create(alice, { text: 'race' })).post;
    repo.beforeCommit = () => {
      const current = repo.items.get(`post:${post.id}`)!;
      repo.put(`post:${post.id}`, { ...(current.value as object), text: 'edited' });
    };
    expect((await domain.like(bob, post.id)).likesCount).toBe(1);
    expect(await domain.get(post.id)).toMatchObject({ text: 'edited', likesCount: 1 });
  });

  test('when listing, then posts come newest first in pages', async () => {
    const { domain } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await domain.create(alice, { text: `p${i}` })).post.id);
    const first = await domain.list(0, 2);
    expect(first.items.map((p) => p.id)).toEqual([ids[4], ids[3]]);
    const second = await domain.list(first.nextOffset!, 2);
    const third = await domain.list(second.nextOffset!, 2);
    expect([...second.items, ...third.items].map((p) => p.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(third.nextOffset).toBeUndefined();
  });

  test('when comment events arrive twice, then the comments count moves once per event', async () => {
    const { domain } = setup();
    const post = (await domain.create(alice, { text: 'comment me' })).post;
    await domain.countComment('e1', post.id, +1);
    await domain.countComment('e1', post.id, +1);
    await domain.countComment('e2', post.id, +1);
    await domain.countComment('e3', post.id, -1);
    expect((await domain.get(post.id)).commentsCount).toBe(1);
  });

  test('when people bookmark posts, then each sees only their own, newest bookmark first, the posts say so, and a deleted post leaves the list with its bookmarks', async () => {
    const { repo, domain } = setup();
    const [first, second, third] = [
      (await domain.create(alice, { text: 'one' })).post,
      (await domain.create(alice, { text: 'two' })).post,
      (await domain.create(bob, { text: 'three' })).post,
    ];
    const before = repo.events.length;
    await domain.bookmark(bob, second.id);
    await domain.bookmark(bob, first.id);
    expect(await domain.bookmark(bob, first.id)).toEqual({ postId: first.id, bookmarked: true });
    await domain.bookmark(bob, third.id);
    await domain.bookmark(alice, third.id);
    expect(repo.events.length).toBe(before); // private: nothing is announced
    const page = await domain.bookmarks(bob, 0, 2);
    expect(page.items.map((p) => p.id)).toEqual([third.id, first.id]);
    expect(page.items.every((p) => p.bookmarkedByMe)).toBe(true);
    expect(page.nextOffset).toBe(2);
    expect((await domain.get(second.id, alice.id)).bookmarkedByMe).toBe(false);
    expect((await domain.get(second.id, bob.id)).bookmarkedByMe).toBe(true);

    await domain.remove(alice, first.id);
    // The post's bookmarks go with it.
    expect([...repo.items.keys()].filter((k) => k === `bookmark:${bob.id}:${first.id}`)).toEqual(
      [],
    );
    expect((await domain.bookmarks(bob, 0, 10)).items.map((p) => p.id)).toEqual([
      third.id,
      second.id,
    ]);
    expect(await domain.unbookmark(bob, first.id)).toEqual({ postId: first.id, bookmarked: false });
    expect(await domain.unbookmark(bob, second.id)).toEqual({
      postId: second.id,
      bookmarked: false,
    });
    expect((await domain.bookmarks(bob, 0, 10)).items.map((p) => p.id)).toEqual([third.id]);
    await rejects(domain.bookmark(bob, first.id), 404);
  });

  test('when a user is deleted, then their posts and likes go with events and counts follow', async () => {
    const { repo, domain } = setup();
    const bobs = (await domain.create(bob, { text: 'bob post' })).post;
    const alices = (await domain.create(alice, { text: 'alice post' })).post;
    await domain.like(alice, bobs.id);
    await domain.like(bob, alices.id);
    await domain.like(alice, alices.id);
    await domain.bookmark(bob, alices.id);
    expect(await domain.removeUser(bob.id)).toEqual({ posts: 1, likes: 1, bookmarks: 1 });
    await rejects(domain.get(bobs.id), 404);
    expect((await domain.get(alices.id)).likesCount).toBe(1);
    expect(await domain.authorCounts(bob.id)).toEqual({ posts: 0 });
    const before = repo.events.length;
    expect(await domain.removeUser(bob.id)).toEqual({ posts: 0, likes: 0, bookmarks: 0 });
    expect(repo.events.length).toBe(before);
    expect(topics(repo).slice(-2)).toEqual(['post.deleted', 'like.deleted']);
  });

  test('when a post is deleted, then its likes go with it', async () => {
    const { repo, domain } = setup();
    const post = (await domain.create(alice, { text: 'bye' })).post;
    await domain.like(bob, post.id);
    await domain.remove(alice, post.id);
    expect([...repo.items.keys()].filter((k) => k.startsWith('like:'))).toEqual([]);
    expect(await domain.authorCounts(alice.id)).toEqual({ posts: 0 });
    await rejects(domain.remove(alice, post.id), 404);
  });
});
