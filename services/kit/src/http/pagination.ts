import type { Request, Response } from 'express';
import { z } from 'zod';
import { badRequest } from '../errors.js';
import { unstorableField } from './input.js';
import { publicPath } from './public-path.js';

/** `?cursor=&limit=` on every list. Cursors are opaque to clients. */
export const pageQuery = z.object({
  cursor: z.string().max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type PageQuery = z.infer<typeof pageQuery>;

/**
 * `?ids=a,b,c` (Mastodon's `id[]` in one parameter): the distinct ids in the order given, each
 * checked by `id`, at least one and at most `max`.
 */
export const idList = (id: z.ZodType<string, string>, max: number, what: string) =>
  z
    .string()
    .transform((ids) => [...new Set(ids.split(',').filter((one) => one.length > 0))])
    .pipe(z.array(id).min(1, `name at least one ${what}`).max(max));

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/**
 * A cursor that does not decode to what this list issues is the caller's mistake: 400. Its
 * text reaches the store's query, so it must be storable too (a NUL in it failed the query).
 */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  try {
    const position: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (unstorableField(position)) throw new Error('unstorable text in the cursor');
    return schema.parse(position);
  } catch {
    throw badRequest('The cursor is invalid; use nextCursor from a previous page.', [
      { path: 'cursor', message: 'not a cursor issued by this list' },
    ]);
  }
}

/**
 * A Dapr state query's page token, as a list hands it out inside its cursor. Every state store
 * Flock runs on issues the offset of the next page; anything else would fail the query.
 */
export const queryPageToken = z.string().regex(/^\d{1,15}$/);

/**
 * The position of a page in a state-query listing: how many items come before it. daprd's
 * Postgres v1 query, the one store with query that Flock runs on, compares every field as text
 * (numbers printed by Go's %v, strings refused in ranges), so no keyset cursor can be built on
 * it; an offset can. An item inserted meanwhile may shift a later page by one.
 */
export const offsetCursor = z.object({ offset: z.number().int().min(0).max(1_000_000) });

export interface OffsetPage<T> {
  items: T[];
  nextOffset?: number;
}

/** `found` holds up to limit + 1 items from `offset`; the extra one only says there is more. */
export function pageFrom<T, V>(
  found: readonly T[],
  offset: number,
  limit: number,
  view: (item: T) => V,
): OffsetPage<V> {
  return {
    items: found.slice(0, limit).map(view),
    ...(found.length > limit ? { nextOffset: offset + limit } : {}),
  };
}

/** A domain's page (`next`: where the following page starts) as the API answers it. */
export const cursorPage = <T>(page: { items: T[]; next?: unknown }): Page<T> => ({
  items: page.items,
  ...(page.next === undefined ? {} : { nextCursor: encodeCursor(page.next) }),
});

/**
 * Sends `{items, nextCursor, ...extra}` and, when there is a next page, `Link: <…>; rel="next"`.
 * `extra` carries list-wide facts such as an unread count.
 */
export function sendPage<T>(
  req: Request,
  res: Response,
  page: Page<T>,
  extra: Record<string, unknown> = {},
): void {
  if (page.nextCursor !== undefined) {
    const url = new URL(req.originalUrl, 'http://flock.invalid');
    url.searchParams.set('cursor', page.nextCursor);
    res.setHeader('Link', `<${publicPath(req, url.pathname + url.search)}>; rel="next"`);
  }
  res.json({
    items: page.items,
    ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}),
    ...extra,
  });
}
