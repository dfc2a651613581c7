import type { ComponentContext } from '../components/context.js';
import type { DeleteRequest, GetResponse, SetRequest } from './store.js';
import { EtagError } from './store.js';
import type { QueryResult, StateQuery } from './query.js';
import { PostgresStateStoreBase, prepareTable } from './postgres-base.js';
import { addRowId, migrate, scheduleCleanup } from './postgres-migrations.js';
import {
  metadataTableFrom,
  openPostgresPool,
  tableNameFrom,
  type Queryable,
} from './postgres-pool.js';
import { v1QuerySql } from './postgresql-v1-query.js';

/**
 * `state.postgresql` **v1**, as daprd v1.18 (components-contrib state/postgresql/v1 and
 * common/component/postgresql/v1): table `tableName` (default `state`) with key text, value jsonb,
 * isbinary, insertdate, updatedate, expiredate, row_id; migrations and cleanup runs recorded in
 * `metadataTableName` (default `dapr_metadata`, keys `migrations` and `last-cleanup`). The etag is
 * the row's `xmin` as a decimal string: anything that is not a uint32 is invalid (400).
 * Two v1 stores must not share a metadata table: the migration level is one row for all of them.
 */
export async function createPostgresV1StateStore(ctx: ComponentContext): Promise<PostgresV1Store> {
  const md = ctx.metadata;
  const table = tableNameFrom(ctx, 'tableName', md.string('tableName', '') || 'state');
  const metadataTable = metadataTableFrom(ctx);
  const pool = openPostgresPool(ctx);
  const store = new PostgresV1Store(pool, table);
  await prepareTable(pool, table, md.origin, () =>
    migrate(pool, { metadataTable, levelKey: 'migrations', steps: migrations(table) }),
  );
  store.stopCleanup = scheduleCleanup(
    pool,
    {
      intervalMs: md.durationMs(
        'cleanupInterval',
        md.durationMs('cleanupIntervalInSeconds', 3_600_000),
      ),
      metadataTable,
      lastCleanupKey: 'last-cleanup',
      deleteExpired: `DELETE FROM ${table} WHERE expiredate IS NOT NULL AND expiredate < now()`,
    },
    ctx,
  );
  return store;
}

/** daprd's three v1 migrations (state/postgresql/v1/migrations.go). */
function migrations(table: string): Array<(db: Queryable) => Promise<void>> {
  return [
    async (db) => {
      await db.query(`CREATE TABLE IF NOT EXISTS ${table} (
        key text NOT NULL PRIMARY KEY,
        value jsonb NOT NULL,
        isbinary boolean NOT NULL,
        insertdate TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
        updatedate TIMESTAMP WITH TIME ZONE NULL)`);
    },
    async (db) => {
      await db.query(`ALTER TABLE ${table} ADD expiredate TIMESTAMP WITH TIME ZONE`);
    },
    (db) => addRowId(db, table, 'insertdate'),
  ];
}

interface Row {
  key: string;
  value: string;
  isbinary: boolean;
  etag: string;
  expiredate: Date | null;
}

const LIVE_ON_READ = '(expiredate IS NULL OR expiredate >= CURRENT_TIMESTAMP)';
const LIVE_ON_WRITE = '(expiredate IS NULL OR expiredate > CURRENT_TIMESTAMP)';
const SELECT_ROW = 'SELECT key, value::text AS value, isbinary, xmin::text AS etag, expiredate';

export class PostgresV1Store extends PostgresStateStoreBase {
  readonly features = ['ETAG', 'TRANSACTIONAL', 'TTL', 'KEYS_LIKE', 'QUERY_API'] as const;

  async get(key: string): Promise<GetResponse | undefined> {
    const { rows } = await this.pool.query<Row>(
      `${SELECT_ROW} FROM ${this.table} WHERE key = $1 AND ${LIVE_ON_READ}`,
      [key],
    );
    return rows[0] ? item(rows[0]) : undefined;
  }

  /** daprd's BulkGet: one query; found rows in the database's order, then the missing keys. */
  async bulkGet(keys: string[]): Promise<Array<{ key: string } & Partial<GetResponse>>> {
    const { rows } = await this.pool.query<Row>(
      `${SELECT_ROW} FROM ${this.table} WHERE key = ANY($1) AND ${LIVE_ON_READ}`,
      [keys],
    );
    const found = new Set(rows.map((r) => r.key));
    const missing = keys.filter((k) => !found.has(k)).map((key) => ({ key }));
    return [...rows.map((r) => ({ key: r.key, ...item(r) })), ...missing];
  }

  /** The whole table, whatever the prefix (as daprd); keys come back as stored. */
  async query(_prefix: string, q: StateQuery): Promise<QueryResult> {
    const { text, params } = v1QuerySql(this.table, q);
    const { rows } = await this.pool.query<Row>(text, params);
    const results = rows.map((r) => ({ key: r.key, data: Buffer.from(r.value), etag: r.etag }));
    // daprd returns a token whenever a limit was asked: the offset after this page.
    return q.limit === undefined ? { results } : { results, token: String(q.offset + rows.length) };
  }

  protected async setWith(db: Queryable, req: SetRequest): Promise<void> {
    const ttl = req.ttlInSeconds ?? 0;
    const expires = ttl > 0 ? `CURRENT_TIMESTAMP + interval '${Math.trunc(ttl)} seconds'` : 'NULL';
    const value = req.value.toString('utf8');
    if (req.etag !== undefined) {
      const res = await db.query(
        `UPDATE ${this.table} SET value = $2, isbinary = $3, updatedate = CURRENT_TIMESTAMP,
           expiredate = ${expires}
         WHERE key = $1 AND xmin = $4 AND ${LIVE_ON_WRITE}`,
        [req.key, value, false, xid(req.etag)],
      );
      if (res.rowCount !== 1) throw new EtagError('mismatch');
      return;
    }
    // first-write may only replace an expired row; daprd reports that as a plain failure (500).
    const firstWrite = req.concurrency === 'first-write';
    const res = await db.query(
      `INSERT INTO ${this.table} AS t (key, value, isbinary, expiredate) VALUES ($1, $2, $3, ${expires})
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, isbinary = excluded.isbinary,
         updatedate = CURRENT_TIMESTAMP, expiredate = ${expires}
       ${firstWrite ? 'WHERE (t.expiredate IS NOT NULL AND t.expiredate < CURRENT_TIMESTAMP)' : ''}`,
      [req.key, value, false],
    );
    if (res.rowCount !== 1) throw new Error('no item was updated');
  }

  protected async deleteWith(db: Queryable, req: DeleteRequest): Promise<void> {
    if (req.etag === undefined) {
      await db.query(`DELETE FROM ${this.table} WHERE key = $1`, [req.key]);
      return;
    }
    const res = await db.query(`DELETE FROM ${this.table} WHERE key = $1 AND $2 = xmin`, [
      req.key,
      xid(req.etag),
    ]);
    if (res.rowCount !== 1) throw new EtagError('mismatch');
  }
}

/** daprd: strconv.ParseUint(etag, 10, 32); failing that, the etag is invalid (400). */
function xid(etag: string): string {
  if (!/^\d+$/.test(etag))
    throw new EtagError('invalid', `strconv.ParseUint: parsing "${etag}": invalid syntax`);
  if (BigInt(etag) > 0xffffffffn)
    throw new EtagError('invalid', `strconv.ParseUint: parsing "${etag}": value out of range`);
  return BigInt(etag).toString();
}

/**
 * The jsonb as Postgres prints it (`{"id": 7, "age": 36}`: jsonb's key order, with blanks), which
 * is what daprd answers a GET with. Rows daprd saved from bytes (gRPC) hold a base64 JSON string
 * with `isbinary` set.
 */
function item(row: Row): GetResponse {
  let data = Buffer.from(row.value);
  if (row.isbinary) {
    const text: unknown = JSON.parse(row.value);
    if (typeof text !== 'string') throw new Error('failed to unmarshal JSON data');
    data = Buffer.from(text, 'base64');
  }
  return { data, etag: row.etag, ...(row.expiredate ? { expiresAt: row.expiredate } : {}) };
}
