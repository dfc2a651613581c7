import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/embedded-postgres.js';

describe('embedded postgres (PGlite over the wire protocol)', () => {
  let dataDir: string;
  let postgres: EmbeddedPostgres;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'flock-pglite-'));
    postgres = await startEmbeddedPostgres({ dataDir });
  }, 120_000); // PGlite's first start runs initdb in WebAssembly: slow on a busy machine
  afterAll(async () => {
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('when many pooled clients run parameterised queries at once, then each gets its own rows', async () => {
    const pools = [0, 1, 2].map(
      () => new pg.Pool({ connectionString: postgres.connectionString, max: 4 }),
    );
    try {
      const answers = await Promise.all(
        Array.from({ length: 300 }, async (_, i) => {
          const { rows } = await pools[i % 3]!.query<{ n: number; s: string }>(
            'SELECT $1::int AS n, $2::text AS s',
            [i, `s${i}`],
          );
          return rows[0]!.n === i && rows[0]!.s === `s${i}`;
        }),
      );
      expect(answers.every(Boolean)).toBe(true);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  test('when a transaction is open on one client, then other clients neither see nor join it', async () => {
    const pool = new pg.Pool({ connectionString: postgres.connectionString, max: 3 });
    try {
      await pool.query('CREATE TABLE tx_probe (k text PRIMARY KEY)');
      const writer = await pool.connect();
      await writer.query('BEGIN');
      await writer.query('INSERT INTO tx_probe VALUES ($1)', ['rolled-back']);
      // This reader queues behind the open transaction and must not run inside it.
      const reader = pool.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_probe');
      await writer.query('ROLLBACK');
      writer.release();
      expect((await reader).rows[0]!.n).toBe(0);
    } finally {
      await pool.end();
    }
  });

  test('when a client disconnects inside a transaction, then its writes are rolled back', async () => {
    const client = new pg.Client({ connectionString: postgres.connectionString });
    await client.connect();
    await client.query('CREATE TABLE abandoned (k text)');
    await client.query('BEGIN');
    await client.query('INSERT INTO abandoned VALUES ($1)', ['lost']);
    await client.end();
    const other = new pg.Client({ connectionString: postgres.connectionString });
    await other.connect();
    try {
      const { rows } = await other.query<{ n: number }>('SELECT count(*)::int AS n FROM abandoned');
      expect(rows[0]!.n).toBe(0);
    } finally {
      await other.end();
    }
  });

  test('when the server restarts on the same data folder, then committed rows are still there', async () => {
    const client = new pg.Client({ connectionString: postgres.connectionString });
    await client.connect();
    await client.query('CREATE TABLE durable (k text)');
    await client.query('INSERT INTO durable VALUES ($1)', ['kept']);
    await client.end();
    await postgres.stop();
    postgres = await startEmbeddedPostgres({ dataDir });
    const again = new pg.Client({ connectionString: postgres.connectionString });
    await again.connect();
    try {
      const { rows } = await again.query<{ k: string }>('SELECT k FROM durable');
      expect(rows).toEqual([{ k: 'kept' }]);
    } finally {
      await again.end();
    }
  });
});
