import {
  decodeCursor,
  encodeCursor,
  offsetCursor,
  publicPath,
  type Handlers,
  type OffsetPage,
  type Page,
  type PageQuery,
} from '@flock/kit';
import type { PostBatchResponse } from './client/posts.client.js';
import type { api } from './posts.api.js';
import type { PostsDomain } from './posts.domain.js';
import { IDEMPOTENCY_HEADER, idempotencyKey } from './posts.schemas.js';

/** `?cursor=&limit=` → where the page starts, and its size. */
const pageOf = ({ cursor, limit }: PageQuery) => ({
  offset: cursor ? decodeCursor(cursor, offsetCursor).offset : 0,
  limit,
});

const withCursor = <T>(page: OffsetPage<T>): Page<T> => ({
  items: page.items,
  ...(page.nextOffset !== undefined
    ? { nextCursor: encodeCursor({ offset: page.nextOffset }) }
    : {}),
});

/** Each route of `api`, by name: one line from HTTP to the domain. */
export const postsHandlers = (posts: PostsDomain): Handlers<typeof api> => ({
  async create({ caller, body, req, res }) {
    const key = idempotencyKey.parse(req.get(IDEMPOTENCY_HEADER));
    const { post, created } = await posts.create(caller, body, key);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    res.status(created ? 201 : 200).location(publicPath(req, `/posts/${post.id}`));
    return post;
  },
  async list({ caller, query }) {
    if (query.ids) return { items: await posts.batch(query.ids, caller?.id) };
    const { offset, limit } = pageOf(query);
    return withCursor(await posts.list(offset, limit, caller?.id));
  },
  get: ({ caller, params }) => posts.get(params.id, caller?.id),
  thread: ({ caller, params }) => posts.thread(params.id, caller?.id),
  update: ({ caller, params, body }) => posts.update(caller, params.id, body),
  remove: ({ caller, params }) => posts.remove(caller, params.id),
  like: ({ caller, params }) => posts.like(caller, params.id),
  unlike: ({ caller, params }) => posts.unlike(caller, params.id),
  async likes({ params, query }) {
    const { offset, limit } = pageOf(query);
    return withCursor(await posts.likes(params.id, offset, limit));
  },
  bookmark: ({ caller, params }) => posts.bookmark(caller, params.id),
  unbookmark: ({ caller, params }) => posts.unbookmark(caller, params.id),
  async bookmarks({ caller, query }) {
    const { offset, limit } = pageOf(query);
    return withCursor(await posts.bookmarks(caller, offset, limit));
  },
  batch: async ({ body }) =>
    ({ items: await posts.batch(body.ids, body.viewerId) }) satisfies PostBatchResponse,
  authorCounts: ({ params }) => posts.authorCounts(params.id),
});
