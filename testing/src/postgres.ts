import pg from 'pg';

/** The real Postgres on 127.0.0.1:5432 (trust auth, database `test`), or undefined when absent. */
export async function findRealPostgres(): Promise<string | undefined> {
  for (const user of ['postgres', 'root']) {
    const url = `postgres://${user}@127.0.0.1:5432/test`;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return url;
    } catch {
      // try the next user
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return undefined;
}

export async function dropTable(connectionString: string, table: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
  } finally {
    await client.end();
  }
}
