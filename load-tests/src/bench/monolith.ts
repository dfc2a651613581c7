/**
 * Baseline: the same three DSB requests served by one Express process with `pg`, from its own
 * tables on the real Postgres — what a competent single-process implementation costs on this
 * machine. It does the work Flock's answers do: a timeline page is whole posts (author's
 * username and display name, text, tags, counts, whether the reader likes it), the home page
 * holds the reader's own posts and those of whom they follow; compose parses tags and mentions
 * and answers the whole post. Home timelines are a join at read time (fan-out on read; one
 * indexed query), compose is one INSERT. No auth: the caller's id comes in `x-user-id` (Flock
 * verifies a JWT instead). Run as a child process: `node monolith.js --child` with MONOLITH_PG
 * and MONOLITH_SCHEMA set; it reports its port over IPC.
 */
import { PUBLIC_API_PREFIX } from '@flock/kit';
import { randomUUID } from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import pg from 'pg';
import type { SeededGraph } from '../seed/seeder.js';

/** Creates the schema and loads the seeded users, follows and posts into it. */
export async function loadMonolith(
  connectionString: string,
  schema: string,
  seeded: SeededGraph,
): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`
      CREATE TABLE ${schema}.users (id uuid PRIMARY KEY, username text UNIQUE NOT NULL,
        display_name text NOT NULL);
      CREATE TABLE ${schema}.follows (follower uuid NOT NULL, followee uuid NOT NULL,
        PRIMARY KEY (follower, followee));
      CREATE TABLE ${schema}.posts (id text PRIMARY KEY, author_id uuid NOT NULL,
        text text NOT NULL, hashtags text[] NOT NULL DEFAULT '{}',
        mentions text[] NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL, likes_count int NOT NULL DEFAULT 0,
        comments_count int NOT NULL DEFAULT 0, replies_count int NOT NULL DEFAULT 0,
        in_reply_to text);
      CREATE INDEX ON ${schema}.posts (author_id, created_at DESC, id DESC);
      CREATE TABLE ${schema}.likes (post_id text NOT NULL, user_id uuid NOT NULL,
        PRIMARY KEY (post_id, user_id));
      CREATE TABLE ${schema}.bookmarks (user_id uuid NOT NULL, post_id text NOT NULL,
        PRIMARY KEY (user_id, post_id));`);
    const { sessions, graph, posts } = seeded;
    await client.query(
      `INSERT INTO ${schema}.users SELECT u, n, n FROM unnest($1::uuid[], $2::text[]) AS t(u, n)`,
      [sessions.map((s) => s.user.id), sessions.map((s) => s.user.username)],
    );
    await client.query(
      `INSERT INTO ${schema}.follows SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`,
      [
        graph.follows.map(([a]) => sessions[a]!.user.id),
        graph.follows.map(([, b]) => sessions[b]!.user.id),
      ],
    );
    const all = posts.flat();
    await client.query(
      `INSERT INTO ${schema}.posts (id, author_id, text, created_at, updated_at)
         SELECT i, a, t, c, c FROM unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[])
           AS p(i, a, t, c)`,
      [
        all.map((p) => p.id),
        all.map((p) => p.authorId),
        all.map(() => 'seeded'),
        all.map((p) => p.createdAt),
      ],
    );
    await client.query(
      `ANALYZE ${schema}.users, ${schema}.follows, ${schema}.posts, ${schema}.likes, ${schema}.bookmarks`,
    );
  } finally {
    await client.end();
  }
}

export async function dropMonolith(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
}

export interface ChildServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts a baseline server (this file or bare-server.js) as a child process. */
export function startChildServer(
  file: string,
  env: Record<string, string> = {},
): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(file, ['--child'], {
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    child.once('message', (message) => {
      const { port } = message as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        pid: child.pid!,
        stop: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

export const monolithFile = fileURLToPath(import.meta.url);

interface PostRow {
  id: string;
  author_id: string;
  username: string;
  display_name: string;
  text: string;
  hashtags: string[];
  mentions: string[];
  created_at: Date;
  updated_at: Date;
  likes_count: number;
  comments_count: number;
  replies_count: number;
  liked: boolean;
  bookmarked: boolean;
  in_reply_to: string | null;
  parent_excerpt: string | null;
}

/** The fields of Flock's timeline item, from one row. */
const postOf = (r: PostRow) => ({
  postId: r.id,
  id: r.id,
  authorId: r.author_id,
  authorUsername: r.username,
  authorDisplayName: r.display_name,
  text: r.text,
  hashtags: r.hashtags,
  mentions: r.mentions,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  likesCount: r.likes_count,
  commentsCount: r.comments_count,
  repliesCount: r.replies_count,
  likedByMe: r.liked,
  bookmarkedByMe: r.bookmarked,
  ...(r.in_reply_to ? { inReplyTo: r.in_reply_to } : {}),
  ...(r.parent_excerpt ? { inReplyToExcerpt: r.parent_excerpt } : {}),
});

const tagsOf = (text: string, mark: string) => [
  ...new Set(
    [...text.matchAll(new RegExp(`${mark}(\\w{1,30})`, 'g'))].map((m) => m[1]!.toLowerCase()),
  ),
];

function serve(): void {
  const schema = process.env.MONOLITH_SCHEMA!;
  const pool = new pg.Pool({ connectionString: process.env.MONOLITH_PG!, max: 16 });
  const app = express();
  app.use(express.json());
  const limitOf = (value: unknown) => Math.min(100, Math.max(1, Number(value) || 20));
  /** Posts of `authors` (a subquery of author ids), hydrated for reader $1, newest first. */
  const page = (authors: string) => `
    SELECT p.*, u.username, u.display_name, left(pp.text, 100) AS parent_excerpt,
           EXISTS (SELECT 1 FROM ${schema}.likes l WHERE l.post_id = p.id AND l.user_id = $1) AS liked,
           EXISTS (SELECT 1 FROM ${schema}.bookmarks b
                    WHERE b.post_id = p.id AND b.user_id = $1) AS bookmarked
      FROM (${authors}) a JOIN ${schema}.posts p ON p.author_id = a.id
      JOIN ${schema}.users u ON u.id = p.author_id
      LEFT JOIN ${schema}.posts pp ON pp.id = p.in_reply_to
     ORDER BY p.created_at DESC, p.id DESC LIMIT $3`;
  const homeSql = page(
    `SELECT followee AS id FROM ${schema}.follows WHERE follower = $2 UNION ALL SELECT $2::uuid`,
  );
  const userSql = page('SELECT $2::uuid AS id');
  const reader = (req: express.Request) => req.header('x-user-id') ?? null;

  app.get(`${PUBLIC_API_PREFIX}/timeline/home`, async (req, res) => {
    const { rows } = await pool.query<PostRow>(homeSql, [
      reader(req),
      reader(req),
      limitOf(req.query.limit),
    ]);
    res.json({ items: rows.map(postOf) });
  });
  app.get(`${PUBLIC_API_PREFIX}/users/:id/timeline`, async (req, res) => {
    const { rows } = await pool.query<PostRow>(userSql, [
      reader(req),
      req.params.id,
      limitOf(req.query.limit),
    ]);
    res.json({ items: rows.map(postOf) });
  });
  app.post(`${PUBLIC_API_PREFIX}/posts`, async (req, res) => {
    const text = String((req.body as { text?: unknown }).text ?? '');
    if (text.length < 1 || text.length > 500) {
      res.status(400).json({ title: 'invalid text' });
      return;
    }
    const { rows } = await pool.query<PostRow>(
      `WITH p AS (INSERT INTO ${schema}.posts (id, author_id, text, hashtags, mentions, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, now(), now()) RETURNING *)
       SELECT p.*, u.username, u.display_name, false AS liked, false AS bookmarked, NULL AS parent_excerpt
         FROM p JOIN ${schema}.users u ON u.id = p.author_id`,
      [randomUUID(), reader(req), text, tagsOf(text, '#'), tagsOf(text, '@')],
    );
    const post: Partial<ReturnType<typeof postOf>> = postOf(rows[0]!);
    delete post.postId; // a post as Flock's compose answers it
    delete post.likedByMe;
    delete post.bookmarkedByMe;
    res.status(201).json(post);
  });
  const server = app.listen(0, '127.0.0.1', () => {
    process.send!({ port: (server.address() as AddressInfo).port });
  });
  process.once('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
}

if (process.argv.includes('--child')) serve();
