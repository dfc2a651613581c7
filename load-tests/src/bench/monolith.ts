/**
 * Baseline: the same three DSB requests served by one Express process with `pg`, from its own
 * tables on the real Postgres — what a competent single-process implementation costs on this
 * machine. Home timelines are a join at read time (fan-out on read; one indexed query), compose
 * is one INSERT. No auth: the caller's id comes in `x-user-id` (Flock verifies a JWT instead).
 * Run as a child process: `node monolith.js --child` with MONOLITH_PG and MONOLITH_SCHEMA set;
 * it reports its port over IPC.
 */
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
      CREATE TABLE ${schema}.users (id uuid PRIMARY KEY, username text UNIQUE NOT NULL);
      CREATE TABLE ${schema}.follows (follower uuid NOT NULL, followee uuid NOT NULL,
        PRIMARY KEY (follower, followee));
      CREATE TABLE ${schema}.posts (id text PRIMARY KEY, author_id uuid NOT NULL,
        text text NOT NULL, created_at timestamptz NOT NULL);
      CREATE INDEX ON ${schema}.posts (author_id, created_at DESC, id DESC);`);
    const { sessions, graph, posts } = seeded;
    await client.query(`INSERT INTO ${schema}.users SELECT * FROM unnest($1::uuid[], $2::text[])`, [
      sessions.map((s) => s.user.id),
      sessions.map((s) => s.user.username),
    ]);
    await client.query(
      `INSERT INTO ${schema}.follows SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`,
      [
        graph.follows.map(([a]) => sessions[a]!.user.id),
        graph.follows.map(([, b]) => sessions[b]!.user.id),
      ],
    );
    const all = posts.flat();
    await client.query(
      `INSERT INTO ${schema}.posts SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[])`,
      [
        all.map((p) => p.id),
        all.map((p) => p.authorId),
        all.map(() => 'seeded'),
        all.map((p) => p.createdAt),
      ],
    );
    await client.query(`ANALYZE ${schema}.users, ${schema}.follows, ${schema}.posts`);
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

function serve(): void {
  const schema = process.env.MONOLITH_SCHEMA!;
  const pool = new pg.Pool({ connectionString: process.env.MONOLITH_PG!, max: 16 });
  const app = express();
  app.use(express.json());
  const limitOf = (value: unknown) => Math.min(100, Math.max(1, Number(value) || 20));
  const entries = (rows: Array<{ id: string; author_id: string; created_at: Date }>) =>
    rows.map((r) => ({
      postId: r.id,
      authorId: r.author_id,
      createdAt: r.created_at.toISOString(),
    }));

  app.get('/api/v1/timeline/home', async (req, res) => {
    const { rows } = await pool.query(
      `SELECT p.id, p.author_id, p.created_at FROM ${schema}.follows f
         JOIN ${schema}.posts p ON p.author_id = f.followee
        WHERE f.follower = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT $2`,
      [req.header('x-user-id'), limitOf(req.query.limit)],
    );
    res.json({ items: entries(rows) });
  });
  app.get('/api/v1/users/:id/timeline', async (req, res) => {
    const { rows } = await pool.query(
      `SELECT id, author_id, created_at FROM ${schema}.posts WHERE author_id = $1
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      [req.params.id, limitOf(req.query.limit)],
    );
    res.json({ items: entries(rows) });
  });
  app.post('/api/v1/posts', async (req, res) => {
    const text = String((req.body as { text?: unknown }).text ?? '');
    if (text.length < 1 || text.length > 500) {
      res.status(400).json({ title: 'invalid text' });
      return;
    }
    const { rows } = await pool.query(
      `INSERT INTO ${schema}.posts (id, author_id, text, created_at) VALUES ($1, $2, $3, now())
       RETURNING id, author_id, text, created_at`,
      [randomUUID(), req.header('x-user-id'), text],
    );
    const row = rows[0] as { id: string; author_id: string; text: string; created_at: Date };
    res
      .status(201)
      .json({ id: row.id, authorId: row.author_id, text: row.text, createdAt: row.created_at });
  });
  const server = app.listen(0, '127.0.0.1', () => {
    process.send!({ port: (server.address() as AddressInfo).port });
  });
  process.once('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
}

if (process.argv.includes('--child')) serve();
