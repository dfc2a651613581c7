import pg from 'pg';
import type { PostHit, TagHit, UserHit } from './search.schemas.js';
import type {
  IndexedPost,
  IndexedUser,
  Page,
  PostsAfter,
  SearchIndex,
  TagsAfter,
  UsersAfter,
  UserFilter,
} from './search.domain.js';

/*
 * The search service's own tables (prefix `search_`) in its own Postgres database. Rows of deleted
 * users and posts stay as tombstones (`deleted`, content cleared) so an event that arrives late —
 * an update after the delete, a post after its author's deletion — cannot bring them back.
 * Every event's effect commits in one SQL transaction with its id in `search_processed_events`:
 * a redelivery finds the id and changes nothing.
 */
const PROCESSED_RETENTION = "interval '7 days'";

function migrations(language: string): string[] {
  return [
    'CREATE EXTENSION IF NOT EXISTS pg_trgm',
    `CREATE TABLE IF NOT EXISTS search_processed_events (
       event_id text PRIMARY KEY,
       topic text NOT NULL,
       processed_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE IF NOT EXISTS search_users (
       user_id text PRIMARY KEY,
       username text COLLATE "C",
       email text COLLATE "C",
       display_name text,
       deleted boolean NOT NULL DEFAULT false,
       changed_at timestamptz NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS search_users_username ON search_users (username, user_id) WHERE NOT deleted',
    'CREATE INDEX IF NOT EXISTS search_users_email ON search_users (email) WHERE NOT deleted',
    // Not partial: the planner does not pick a partial trigram index for `%` (measured).
    'CREATE INDEX IF NOT EXISTS search_users_username_trgm_all ON search_users USING gin (username gin_trgm_ops)',
    // Email is matched exactly (never fuzzily, never by prefix): no trigram index over it.
    'DROP INDEX IF EXISTS search_users_email_trgm_all',
    // The text in the configured language (stemmed, weight A), the hashtags verbatim (simple, B).
    `CREATE TABLE IF NOT EXISTS search_posts (
       post_id text PRIMARY KEY,
       author_id text NOT NULL,
       body text NOT NULL DEFAULT '',
       hashtags text[] NOT NULL DEFAULT '{}',
       -- the hashtags space-separated: array_to_string is not immutable, so not in the expression
       tag_text text NOT NULL DEFAULT '',
       created_at timestamptz NOT NULL,
       changed_at timestamptz NOT NULL,
       deleted boolean NOT NULL DEFAULT false,
       document tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('${language}'::regconfig, body), 'A') ||
         setweight(to_tsvector('simple'::regconfig, tag_text), 'B')
       ) STORED)`,
    'CREATE INDEX IF NOT EXISTS search_posts_document ON search_posts USING gin (document) WHERE NOT deleted',
    'CREATE INDEX IF NOT EXISTS search_posts_author ON search_posts (author_id)',
    // One row per (tag, live post): newest-first pages per tag and prefix search over tags.
    `CREATE TABLE IF NOT EXISTS search_post_tags (
       tag text COLLATE "C" NOT NULL,
       created_at timestamptz NOT NULL,
       post_id text NOT NULL,
       PRIMARY KEY (tag, created_at, post_id))`,
    'CREATE INDEX IF NOT EXISTS search_post_tags_post ON search_post_tags (post_id)',
  ];
}

/** `value` as a LIKE prefix pattern: its own `%`, `_` and `\` match literally. */
export const likePrefix = (value: string) => `${value.replace(/[\\%_]/g, '\\$&')}%`;

type Queryable = Pick<pg.PoolClient, 'query'>;

interface PostRow {
  post_id: string;
  author_id: string;
  body: string;
  hashtags: string[];
  created_at: Date;
  rank?: number;
}

const toPost = (row: PostRow): PostHit => ({
  id: row.post_id,
  authorId: row.author_id,
  text: row.body,
  hashtags: row.hashtags,
  createdAt: row.created_at.toISOString(),
  ...(row.rank === undefined ? {} : { rank: row.rank }),
});

function page<R, T>(rows: R[], limit: number, map: (row: R) => T): { items: T[]; last?: R } {
  const more = rows.length > limit;
  const kept = rows.slice(0, limit);
  return { items: kept.map(map), ...(more ? { last: kept.at(-1) } : {}) };
}

/**
 * A post as its event tells it ($1 id, $2 author, $3 text, $4 hashtags, $5 time); a post of a
 * deleted author is stored as a tombstone from the start. Each event says what a conflict keeps.
 */
const INSERT_POST = `INSERT INTO search_posts
         (post_id, author_id, body, hashtags, tag_text, created_at, changed_at, deleted)
       VALUES ($1, $2, $3, $4, array_to_string($4::text[], ' '), $5, $5,
               EXISTS (SELECT 1 FROM search_users WHERE user_id = $2 AND deleted))`;

export class PgSearchIndex implements SearchIndex {
  constructor(
    readonly pool: pg.Pool,
    private readonly language: string,
  ) {}

  /** Creates what is missing; safe to run at every start, by several instances at once. */
  static async open(connectionString: string, language: string, max = 10): Promise<PgSearchIndex> {
    const pool = new pg.Pool({ connectionString, max });
    try {
      // The configuration must exist before it is spliced into DDL (it is also regex-checked).
      await pool.query('SELECT $1::regconfig', [language]);
      const client = await pool.connect();
      try {
        // Serialises concurrent migrators (two instances starting together).
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['search_migrations']);
        for (const statement of migrations(language)) await client.query(statement);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PgSearchIndex(pool, language);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Forgets processed event ids older than any broker keeps redelivering. */
  async pruneProcessed(): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM search_processed_events WHERE processed_at < now() - ${PROCESSED_RETENTION}`,
    );
    return result.rowCount ?? 0;
  }

  async applyOnce(
    eventId: string,
    topic: string,
    apply: (tx: IndexWriter) => Promise<void>,
  ): Promise<'applied' | 'duplicate'> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const marked = await client.query(
        'INSERT INTO search_processed_events (event_id, topic) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [eventId, topic],
      );
      if (marked.rowCount === 0) {
        await client.query('ROLLBACK');
        return 'duplicate';
      }
      await apply(new IndexWriter(client));
      await client.query('COMMIT');
      return 'applied';
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async users(
    filter: UserFilter,
    limit: number,
    after?: UsersAfter,
  ): Promise<Page<UserHit, UsersAfter>> {
    const params: unknown[] = [];
    const bind = (value: unknown) => `$${params.push(value)}`;
    const where = ['NOT deleted'];
    if (filter.username !== undefined)
      where.push(`username LIKE ${bind(likePrefix(filter.username))}`);
    if (filter.email !== undefined) where.push(`email = ${bind(filter.email)}`);

    if (filter.q === undefined) {
      // Exact and prefix matches, by username: the exact match sorts first.
      if (after && 'u' in after)
        where.push(`(username, user_id) > (${bind(after.u)}, ${bind(after.i)})`);
      const { rows } = await this.pool.query<{
        user_id: string;
        username: string;
        display_name: string | null;
      }>(
        `SELECT user_id, username, display_name FROM search_users WHERE ${where.join(' AND ')}
         ORDER BY username, user_id LIMIT ${bind(limit + 1)}`,
        params,
      );
      const result = page(rows, limit, (r) => ({
        id: r.user_id,
        username: r.username,
        ...(r.display_name ? { displayName: r.display_name } : {}),
      }));
      return {
        items: result.items,
        ...(result.last ? { next: { u: result.last.username, i: result.last.user_id } } : {}),
      };
    }

    // Fuzzy over usernames (never emails, which must not be recoverable by guessing): exact (+2)
    // and prefix (+1) matches above trigram neighbours.
    const q = bind(filter.q);
    const prefix = bind(likePrefix(filter.q));
    const score = `(similarity(username, ${q})
      + CASE WHEN username = ${q} THEN 2 WHEN username LIKE ${prefix} THEN 1 ELSE 0 END)::real`;
    // Candidates branch by branch, so each can use its own index (trigram GIN, prefix btree).
    where.push(`user_id IN (
      SELECT user_id FROM search_users WHERE username % ${q}
      UNION SELECT user_id FROM search_users WHERE NOT deleted AND username LIKE ${prefix})`);
    const cursor =
      after && 's' in after
        ? `WHERE (score, user_id) < (${bind(after.s)}::real, ${bind(after.i)})`
        : '';
    const rows = await this.withoutSeqScan((db) =>
      db.query<{ user_id: string; username: string; display_name: string | null; score: number }>(
        `SELECT * FROM (
           SELECT user_id, username, display_name, ${score} AS score
           FROM search_users WHERE ${where.join(' AND ')}) matches
         ${cursor}
         ORDER BY score DESC, user_id DESC LIMIT ${bind(limit + 1)}`,
        params,
      ),
    );
    const result = page(rows, limit, (r) => ({
      id: r.user_id,
      username: r.username,
      ...(r.display_name ? { displayName: r.display_name } : {}),
      score: r.score,
    }));
    return {
      items: result.items,
      ...(result.last ? { next: { s: result.last.score, i: result.last.user_id } } : {}),
    };
  }

  /**
   * Runs a query with sequential scans discouraged. The planner prices pg_trgm's `%` as cheap,
   * so up to tens of thousands of users it scans the table, computing trigrams row by row (about
   * 60 ms at 10,000 users), where the trigram indexes take a few ms (see README, Benchmark).
   */
  private async withoutSeqScan<R extends pg.QueryResultRow>(
    run: (db: Queryable) => Promise<pg.QueryResult<R>>,
  ): Promise<R[]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await run(client);
      await client.query('COMMIT');
      return rows;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async posts(q: string, limit: number, after?: PostsAfter): Promise<Page<PostHit, PostsAfter>> {
    // websearch_to_tsquery accepts any text (quotes, OR, -, stray operators) without a syntax error.
    const { rows } = await this.pool.query<PostRow & { rank: number }>(
      `WITH query AS (
         SELECT websearch_to_tsquery($1::regconfig, $2) || websearch_to_tsquery('simple', $2) AS q)
       SELECT * FROM (
         SELECT p.post_id, p.author_id, p.body, p.hashtags, p.created_at,
                ts_rank(p.document, query.q) AS rank
         FROM search_posts p, query
         WHERE NOT p.deleted AND p.document @@ query.q) hits
       WHERE $3::real IS NULL OR (rank, created_at, post_id) < ($3::real, $4::timestamptz, $5::text)
       ORDER BY rank DESC, created_at DESC, post_id DESC
       LIMIT $6`,
      [this.language, q, after?.r ?? null, after?.t ?? null, after?.i ?? null, limit + 1],
    );
    const result = page(rows, limit, toPost);
    const last = result.last;
    return {
      items: result.items,
      ...(last
        ? { next: { r: last.rank, t: last.created_at.toISOString(), i: last.post_id } }
        : {}),
    };
  }

  async postsTagged(
    tag: string,
    limit: number,
    after?: { t: string; i: string },
  ): Promise<Page<PostHit, { t: string; i: string }>> {
    const { rows } = await this.pool.query<PostRow>(
      `SELECT p.post_id, p.author_id, p.body, p.hashtags, p.created_at
       FROM search_post_tags t JOIN search_posts p ON p.post_id = t.post_id
       WHERE t.tag = $1 AND NOT p.deleted
         AND ($2::timestamptz IS NULL OR (t.created_at, t.post_id) < ($2::timestamptz, $3::text))
       ORDER BY t.created_at DESC, t.post_id DESC
       LIMIT $4`,
      [tag, after?.t ?? null, after?.i ?? null, limit + 1],
    );
    const result = page(rows, limit, toPost);
    const last = result.last;
    return {
      items: result.items,
      ...(last ? { next: { t: last.created_at.toISOString(), i: last.post_id } } : {}),
    };
  }

  async tags(prefix: string, limit: number, after?: TagsAfter): Promise<Page<TagHit, TagsAfter>> {
    const { rows } = await this.pool.query<{ tag: string; posts: number }>(
      `SELECT tag, count(*)::int AS posts FROM search_post_tags
       WHERE tag LIKE $1 AND ($2::text IS NULL OR tag > $2::text)
       GROUP BY tag ORDER BY tag LIMIT $3`,
      [likePrefix(prefix), after?.g ?? null, limit + 1],
    );
    const result = page(rows, limit, (r) => ({ tag: r.tag, posts: r.posts }));
    return {
      items: result.items,
      ...(result.last ? { next: { g: result.last.tag } } : {}),
    };
  }
}

/** The writes one event makes, inside its transaction. Each is idempotent and order-tolerant. */
export class IndexWriter {
  constructor(private readonly db: Queryable) {}

  /** Registration fills what is missing; it never overwrites a newer update. */
  async userRegistered(user: IndexedUser): Promise<void> {
    await this.db.query(
      `INSERT INTO search_users (user_id, username, email, display_name, changed_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id) DO UPDATE SET
         email = coalesce(search_users.email, EXCLUDED.email),
         display_name = coalesce(search_users.display_name, EXCLUDED.display_name)
       WHERE NOT search_users.deleted`,
      [user.userId, user.username, user.email ?? null, user.displayName ?? null, user.at],
    );
  }

  /** The newest update wins; an update older than what is stored, or of a deleted user, is ignored. */
  async userUpdated(user: IndexedUser): Promise<void> {
    await this.db.query(
      `INSERT INTO search_users (user_id, username, email, display_name, changed_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id) DO UPDATE SET
         username = EXCLUDED.username,
         email = coalesce(EXCLUDED.email, search_users.email),
         display_name = EXCLUDED.display_name,
         changed_at = EXCLUDED.changed_at
       WHERE NOT search_users.deleted AND search_users.changed_at <= EXCLUDED.changed_at`,
      [user.userId, user.username, user.email ?? null, user.displayName ?? null, user.at],
    );
  }

  /** The user and all their posts vanish from results, for good. */
  async userDeleted(userId: string, at: string): Promise<void> {
    await this.db.query(
      `INSERT INTO search_users (user_id, deleted, changed_at) VALUES ($1, true, $2)
       ON CONFLICT (user_id) DO UPDATE SET
         deleted = true, username = NULL, email = NULL, display_name = NULL,
         changed_at = greatest(search_users.changed_at, EXCLUDED.changed_at)`,
      [userId, at],
    );
    await this.db.query(
      'DELETE FROM search_post_tags WHERE post_id IN (SELECT post_id FROM search_posts WHERE author_id = $1)',
      [userId],
    );
    await this.db.query(
      `UPDATE search_posts SET deleted = true, body = '', hashtags = '{}', tag_text = '' WHERE author_id = $1`,
      [userId],
    );
  }

  /** post.created; where an edit got here first, it only sets the post's real creation time. */
  async postCreated(post: IndexedPost, createdAt: string): Promise<void> {
    await this.db.query(
      `${INSERT_POST}
       ON CONFLICT (post_id) DO UPDATE SET created_at = EXCLUDED.created_at
       WHERE NOT search_posts.deleted`,
      [post.postId, post.authorId, post.text, post.hashtags, createdAt],
    );
    await this.syncTags(post.postId);
  }

  /** The newest edit wins; an edit of a deleted post is ignored. */
  async postUpdated(post: IndexedPost, at: string): Promise<void> {
    await this.db.query(
      `${INSERT_POST}
       ON CONFLICT (post_id) DO UPDATE SET
         body = EXCLUDED.body, hashtags = EXCLUDED.hashtags, tag_text = EXCLUDED.tag_text,
         changed_at = EXCLUDED.changed_at
       WHERE NOT search_posts.deleted AND search_posts.changed_at <= EXCLUDED.changed_at`,
      [post.postId, post.authorId, post.text, post.hashtags, at],
    );
    await this.syncTags(post.postId);
  }

  async postDeleted(postId: string, authorId: string, at: string): Promise<void> {
    await this.db.query(
      `INSERT INTO search_posts (post_id, author_id, created_at, changed_at, deleted)
       VALUES ($1, $2, $3, $3, true)
       ON CONFLICT (post_id) DO UPDATE SET deleted = true, body = '', hashtags = '{}', tag_text = ''`,
      [postId, authorId, at],
    );
    await this.syncTags(postId);
  }

  /** The tag rows of a post follow its current tags (none once deleted). */
  private async syncTags(postId: string): Promise<void> {
    await this.db.query('DELETE FROM search_post_tags WHERE post_id = $1', [postId]);
    await this.db.query(
      `INSERT INTO search_post_tags (tag, created_at, post_id)
       SELECT DISTINCT tag, p.created_at, p.post_id
       FROM search_posts p, unnest(p.hashtags) AS tag
       WHERE p.post_id = $1 AND NOT p.deleted`,
      [postId],
    );
  }
}
