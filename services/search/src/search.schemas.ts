import { EVENTS, pageQuery } from '@flock/kit';
import { z } from 'zod';

/** The longest query text accepted; longer is a 400, never work for the database. */
export const MAX_QUERY_LENGTH = 200;

/**
 * Any text a person may type: 1..200 characters, no NUL (Postgres text cannot hold it) and no
 * lone surrogate (not encodable as UTF-8). Everything else, operators and quotes included, is
 * data: it only ever reaches SQL as a bound parameter.
 */
const queryText = z
  .string()
  .trim()
  .min(1, 'not blank')
  .max(MAX_QUERY_LENGTH, `at most ${MAX_QUERY_LENGTH} characters`)
  .refine((value) => !value.includes('\u0000') && !/\p{Cs}/u.test(value), 'not valid text');

/** A hashtag as posts extracts it: letters, digits, underscores; `#` optional; case-insensitive. */
const tagText = z
  .string()
  .trim()
  .max(101, 'at most 100 characters')
  .transform((value) => value.replace(/^#/, '').toLowerCase())
  .pipe(z.string().regex(/^[\p{L}\p{N}_]{1,100}$/u, 'letters, digits and underscores only'));

export const userSearchQuery = pageQuery
  .extend({
    username: queryText.optional(),
    email: z.email('an email address').max(254).optional(),
    q: queryText.optional(),
  })
  .refine((query) => query.username ?? query.email ?? query.q, {
    message: 'give username, email or q',
    path: ['q'],
  });
export type UserSearchQuery = z.infer<typeof userSearchQuery>;

export const postSearchQuery = pageQuery.extend({ q: queryText });
export const tagSearchQuery = pageQuery.extend({ q: tagText });
export const tagParams = z.object({ tag: tagText });

export const userHit = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string().optional(),
  score: z.number().optional(),
});
export type UserHit = z.infer<typeof userHit>;

export const postHit = z.object({
  id: z.string(),
  authorId: z.string(),
  text: z.string(),
  hashtags: z.array(z.string()),
  createdAt: z.iso.datetime(),
  rank: z.number().optional(),
});
export type PostHit = z.infer<typeof postHit>;

export const tagHit = z.object({ tag: z.string(), posts: z.number().int() });
export type TagHit = z.infer<typeof tagHit>;

/* Cursors (opaque base64url JSON to clients). */
export const byUsername = z.object({ u: z.string(), i: z.string() });
export const byScore = z.object({ s: z.number(), i: z.string() });
export const byRank = z.object({ r: z.number(), t: z.iso.datetime(), i: z.string() });
export const byTime = z.object({ t: z.iso.datetime(), i: z.string() });
export const byTag = z.object({ g: z.string() });

/**
 * The user events as search consumes them. `email` is not in the catalog yet: search indexes it
 * when a producer sends it (see README), and stays usable without it.
 */
export const userRegistered = EVENTS['user.registered'].extend({
  email: z.string().max(254).optional(),
  displayName: z.string().optional(),
});
export const userUpdated = EVENTS['user.updated'].extend({ email: z.string().max(254).optional() });
