import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A database of a run's own on the local Postgres, for runs on a local profile that must not see
 * each other's data (tests, benchmarks); dropped afterwards. The server is the one of
 * `FLOCK_POSTGRES_ADMIN_URL`, else `FLOCK_POSTGRES_URL`, else the local Postgres.
 */
const ADMIN_URL =
  process.env.FLOCK_POSTGRES_ADMIN_URL ??
  process.env.FLOCK_POSTGRES_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

export interface ThrowawayDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase(label = 'flock_test'): Promise<ThrowawayDatabase> {
  const name = `${label}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
