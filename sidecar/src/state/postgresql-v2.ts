import { randomUUID } from 'node:crypto';
import type { ComponentContext } from '../components/context.js';
import type { GetResponse, SetRequest, DeleteRequest } from './store.js';
import { EtagError } from './store.js';
import { PostgresStateStoreBase, prepareTable } from './postgres-base.js';
import { addRowId, migrate, scheduleCleanup } from './postgres-migrations.js';
import {
  metadataTableFrom,
  openPostgresPool,
  tableNameFrom,
  type Queryable,
} from './postgres-pool.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_EXPIRED = '(expires_at IS NULL OR expires_at > CURRENT_TIMESTAMP)';

/**
 * `state.postgresql` with Dapr's **v2** storage layout (table `<tablePrefix>state`: key, value
 * bytea, etag uuid, created_at, updated_at, expires_at, row_id), with daprd's migrations and
 * cleanup runs recorded in `metadataTableName` (keys `migrations-state-v2-<tablePrefix>` and
 * `last-cleanup-state-v2-<tablePrefix>`), so a real daprd v2 can share the database.
 * ETags are UUIDs; a non-UUID etag is a mismatch (409), as in daprd v2.
 */
export async function createPostgresV2StateStore(ctx: ComponentContext): Promise<PostgresV2Store> {
  const md = ctx.metadata;
  const prefix = md.string('tablePrefix', '');
  const table = tableNameFrom(ctx, 'tablePrefix', `${prefix}state`);
  const metadataTable = metadataTableFrom(ctx);
  const pool = openPostgresPool(ctx);
  const store = new PostgresV2Store(pool, table);
  await prepareTable(pool, table, md.origin, () =>
    migrate(pool, {
      metadataTable,
      levelKey: `migrations-state-v2-${prefix}`,
      steps: [
        async (db) => {
          await db.query(`CREATE TABLE IF NOT EXISTS ${table} (
              key text NOT NULL PRIMARY KEY,
              value bytea NOT NULL,
              etag uuid NOT NULL DEFAULT gen_random_uuid(),
              created_at timestamp with time zone NOT NULL DEFAULT now(),
              updated_at timestamp with time zone,
              expires_at timestamp with time zone);
            CREATE INDEX ON ${table} (expires_at);`);
        },
        (db) => addRowId(db, table, 'created_at'),
      ],
    }),
  );
  store.stopCleanup = scheduleCleanup(
    pool,
    {
      intervalMs: md.durationMs('cleanupInterval', 3_600_000),
      metadataTable,
      lastCleanupKey: `last-cleanup-state-v2-${prefix}`,
      deleteExpired: `DELETE FROM ${table} WHERE expires_at IS NOT NULL AND expires_at < now()`,
    },
    ctx,
  );
  return store;
}

export class PostgresV2Store extends PostgresStateStoreBase {
  /** No QUERY_API: daprd's v2 store has no query (v1 has), so a query answers 500 ERR_STATE_STORE_NOT_SUPPORTED. */
  readonly features = ['ETAG', 'TRANSACTIONAL', 'TTL', 'KEYS_LIKE'] as const;

  async get(key: string): Promise<GetResponse | undefined> {
    const { rows } = await this.pool.query<{
      value: Buffer;
      etag: string;
      expires_at: Date | null;
    }>(`SELECT value, etag, expires_at FROM ${this.table} WHERE key = $1 AND ${NOT_EXPIRED}`, [
      key,
    ]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      data: row.value,
      etag: row.etag,
      ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
    };
  }

  protected async setWith(db: Queryable, req: SetRequest): Promise<void> {
    const ttl = req.ttlInSeconds;
    const expiresAt = ttl !== undefined && ttl > 0 ? new Date(Date.now() + ttl * 1000) : null;
    if (req.etag !== undefined) {
      if (!UUID.test(req.etag)) throw new EtagError('mismatch', uuidError(req.etag));
      const res = await db.query(
        `UPDATE ${this.table} SET value = $2, etag = $3, updated_at = CURRENT_TIMESTAMP, expires_at = $4
         WHERE key = $1 AND etag = $5 AND ${NOT_EXPIRED}`,
        [req.key, req.value, randomUUID(), expiresAt, req.etag],
      );
      if (res.rowCount === 0) throw new EtagError('mismatch');
      return;
    }
    // first-write without an etag may only replace an expired row; daprd reports that as a plain
    // failure (500), not as an etag mismatch.
    const firstWrite = req.concurrency === 'first-write';
    const res = await db.query(
      `INSERT INTO ${this.table} AS t (key, value, etag, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag,
         updated_at = CURRENT_TIMESTAMP, expires_at = excluded.expires_at
       ${firstWrite ? 'WHERE t.expires_at IS NOT NULL AND t.expires_at <= CURRENT_TIMESTAMP' : ''}`,
      [req.key, req.value, randomUUID(), expiresAt],
    );
    if (res.rowCount === 0) throw new Error('no item was updated');
  }

  protected async deleteWith(db: Queryable, req: DeleteRequest): Promise<void> {
    if (req.etag === undefined) {
      await db.query(`DELETE FROM ${this.table} WHERE key = $1`, [req.key]);
      return;
    }
    if (!UUID.test(req.etag)) throw new EtagError('mismatch', uuidError(req.etag));
    const res = await db.query(`DELETE FROM ${this.table} WHERE key = $1 AND etag = $2`, [
      req.key,
      req.etag,
    ]);
    if (res.rowCount === 0) throw new EtagError('mismatch');
  }
}

/** The cause daprd's v2 gives for an etag that is not a UUID (google/uuid's Parse). */
function uuidError(etag: string): string {
  return [36, 38, 41, 32].includes(etag.length)
    ? 'invalid UUID format'
    : `invalid UUID length: ${etag.length}`;
}
