import { AppError, WriteConflict, notFound, type DomainEvent, type Versioned } from '@flock/kit';
import {
  CommentsDomain,
  type CommentRepository,
  type CommentWrite,
} from '../src/comments.domain.js';
import type { CommentRecord, PostRefRecord } from '../src/comments.schemas.js';

/** An in-memory CommentRepository with etags and insert-only semantics. */
class FakeCommentRepository implements CommentRepository {
  readonly items = new Map<string, Versioned<unknown>>();
  readonly events: DomainEvent[] = [];
  private version = 0;
  beforeCommit: (() => void) | undefined;

  put(key: string, value: unknown) {
    this.items.set(key, { value: structuredClone(value), etag: String(++this.version) });
  }
  private comments(): CommentRecord[] {
    return [...this.items.entries()]
      .filter(([k]) => k.startsWith('comment:'))
      .map(([, v]) => v.value as CommentRecord)
      .sort((a, b) => a.sortKey.localeCompare(b.sortKey));
  }
  async comment(id: string) {
    return this.items.get(`comment:${id}`) as Versioned<CommentRecord> | undefined;
  }
  async postRef(postId: string) {
    return this.items.get(`post-ref:${postId}`) as Versioned<PostRefRecord> | undefined;
  }
  async listByPost(postId: string, offset: number, limit: number) {
    return this.comments()
      .filter((c) => c.postId === postId)
      .slice(offset, offset + limit);
  }
  async listByAuthor(authorId: string, limit: number) {
    return this.comments()
      .filter((c) => c.authorId === authorId)
      .slice(0, limit);
  }
  async commit(writes: readonly CommentWrite[], events: readonly DomainEvent[]) {
    const hook = this.beforeCommit;
    this.beforeCommit = undefined;
    hook?.();
    const ops = writes.map((w) =>
      w.type === 'comment'
        ? { key: `comment:${w.comment.id}`, value: w.comment as unknown, etag: w.etag }
        : w.type === 'post-ref'
          ? { key: `post-ref:${w.ref.postId}`, value: w.ref as unknown, etag: w.etag }
          : { key: `comment:${w.commentId}`, value: undefined, etag: w.etag, del: true },
    );
    for (const op of ops) {
      const current = this.items.get(op.key);
      const insertOnly = op.etag === undefined && !('del' in op);
      if (op.etag !== undefined ? current?.etag !== op.etag : insertOnly && current)
        throw new WriteConflict('lost a race in the fake repository');
    }
    for (const op of ops)
      if (op.value === undefined) this.items.delete(op.key);
      else this.put(op.key, op.value);
    this.events.push(...events);
  }
}

const alice = { id: 'u-alice', username: 'alice' };
const bob = { id: 'u-bob', username: 'bob' };
const POST = '11111111-1111-4111-8111-111111111111';

function setup() {
  let tick = Date.parse('2026-01-01T00:00:00.000Z');
  const repo = new FakeCommentRepository();
  const known = new Map([[POST, alice.id]]);
  const lookups: string[] = [];
  const directory = {
    async authorOf(postId: string) {
      lookups.push(postId);
      const author = known.get(postId);
      if (!author) throw notFound(`Post ${postId} does not exist.`);
      return author;
    },
  };
  const domain = new CommentsDomain(repo, directory, { now: () => new Date((tick += 1000)) });
  return { repo, domain, known, lookups };
}

async function rejects(promise: Promise<unknown>, status: number) {
  await expect(promise).rejects.toBeInstanceOf(AppError);
  await expect(promise).rejects.toMatchObject({ status });
}

describe('comments domain', () => {
  test('when commenting, then the comment knows the post author and comment.created says so', async () => {
    const { repo, domain, lookups } = setup();
    const comment = await domain.create(bob, POST, { text: 'nice' });
    await domain.create(bob, POST, { text: 'again' });
    expect(comment).toMatchObject({ postId: POST, authorId: bob.id, text: 'nice' });
    expect(repo.events[0]).toMatchObject({
      topic: 'comment.created',
      data: { commentId: comment.id, postAuthorId: alice.id, authorId: bob.id },
    });
    expect(lookups).toEqual([POST]); // the author is remembered after the first comment
  });

  test('when commenting on an unknown post, then 404 and nothing is stored', async () => {
    const { repo, domain } = setup();
    await rejects(domain.create(bob, '22222222-2222-4222-8222-222222222222', { text: 'x' }), 404);
    expect(repo.items.size).toBe(0);
  });

  test('when listing, then comments come oldest first in pages', async () => {
    const { domain } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await domain.create(bob, POST, { text: `c${i}` })).id);
    const first = await domain.list(POST, 0, 2);
    expect(first.items.map((c) => c.id)).toEqual(ids.slice(0, 2));
    const second = await domain.list(POST, first.nextOffset!, 2);
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[2] })] });
  });

  test('when someone else edits or deletes, then 403; unknown comment → 404', async () => {
    const { domain } = setup();
    const comment = await domain.create(bob, POST, { text: 'mine' });
    await rejects(domain.update(alice, comment.id, { text: 'no' }), 403);
    await rejects(domain.remove(alice, comment.id), 403);
    await rejects(domain.remove(bob, 'nope'), 404);
    expect((await domain.update(bob, comment.id, { text: 'edited' })).text).toBe('edited');
  });

  test('when the post is deleted (twice), then its comments go once and new ones are refused', async () => {
    const { repo, domain } = setup();
    await domain.create(bob, POST, { text: 'a' });
    await domain.create(alice, POST, { text: 'b' });
    expect(await domain.removePost(POST, alice.id)).toBe(2);
    expect(await domain.removePost(POST, alice.id)).toBe(0);
    expect(repo.events.filter((e) => e.topic === 'comment.deleted')).toHaveLength(2);
    await rejects(domain.create(bob, POST, { text: 'late' }), 404);
    await rejects(domain.list(POST, 0, 10), 404);
  });

  test('when a comment races the post deletion, then the cascade still removes it', async () => {
    const { repo, domain } = setup();
    await domain.create(bob, POST, { text: 'first' });
    let raced = '';
    repo.beforeCommit = () => {
      // a comment commits between the cascade's read of the post-ref and its write
      const ref = repo.items.get(`post-ref:${POST}`)!;
      repo.put(`post-ref:${POST}`, ref.value);
      raced = 'raced-comment';
      repo.put(`comment:${raced}`, {
        kind: 'comment',
        id: raced,
        postId: POST,
        postAuthorId: alice.id,
        authorId: bob.id,
        authorUsername: 'bob',
        text: 'sneaky',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
        sortKey: `2026-01-01T00:00:00.000Z|${raced}`,
      });
    };
    expect(await domain.removePost(POST, alice.id)).toBe(2);
    expect(await repo.comment(raced)).toBeUndefined();
  });

  test('when a user is deleted, then only their comments go', async () => {
    const { repo, domain } = setup();
    await domain.create(bob, POST, { text: 'bob' });
    const kept = await domain.create(alice, POST, { text: 'alice' });
    expect(await domain.removeUser(bob.id)).toBe(1);
    expect((await domain.list(POST, 0, 10)).items.map((c) => c.id)).toEqual([kept.id]);
    expect(await domain.removeUser(bob.id)).toBe(0);
    expect(repo.events.at(-1)).toMatchObject({
      topic: 'comment.deleted',
      data: { authorId: bob.id },
    });
  });
});
