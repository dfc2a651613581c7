import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import pg from 'pg';
import type { ComponentContext } from '../components/context.js';
import type {
  GetResponse,
  SetRequest,
  DeleteRequest,
  StateStore,
  TransactionOperation,
} from './store.js';
import { EtagError } from './store.js';
import { pageResult, type Filter, type QueryResult, type StateQuery } from './query.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_EXPIRED = '(expires_at IS NULL OR expires_at > CURRENT_TIMESTAMP)';

type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * `state.postgresql` with Dapr's **v2** storage layout (table `<tablePrefix>state`: key, value
 * bytea, etag uuid, created_at, updated_at, expires_at), so a real daprd v2 can share the database.
 * ETags are UUIDs; a non-UUID etag is a mismatch (409), as in daprd v2.
 */
export async function createPostgresStateStore(ctx: ComponentContext): Promise<StateStore> {
  const md = ctx.metadata;
  if (ctx.version !== 'v2') {
    throw new Error(
      `${md.origin}: state.postgresql version "${ctx.version}" is not supported here (v1 stores jsonb rows with xmin etags); set "version: v2"`,
    );
  }
  const tablePrefix = md.string('tablePrefix', '');
  if (!/^[A-Za-z0-9_.]*$/.test(tablePrefix)) {
    throw new Error(
      `${md.origin}: metadata field "tablePrefix" may hold only letters, digits, "_" and "."`,
    );
  }
  const pool = new pg.Pool({
    ...parseConnectionString(md.required('connectionString')),
    max: md.int('maxConns', 0) > 0 ? md.int('maxConns', 0) : Math.max(4, cpus().length),
    query_timeout: md.durationMs('timeout', 20_000),
    ...(md.get('connectionMaxIdleTime')
      ? { idleTimeoutMillis: md.durationMs('connectionMaxIdleTime', 0) }
      : {}),
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', (err) =>
    ctx.logger.warn({ err, component: ctx.name }, 'postgres idle client error'),
  );
  const store = new PostgresStateStore(pool, `${tablePrefix}state`);
  try {
    await store.migrate();
  } catch (err) {
    await pool.end();
    throw new Error(
      `${md.origin}: cannot prepare table ${tablePrefix}state: ${(err as Error).message}`,
    );
  }
  store.startCleanup(md.durationMs('cleanupInterval', 3_600_000), ctx);
  return store;
}

class PostgresStateStore implements StateStore {
  /** QUERY_API is ours: daprd's v2 Postgres store has no query (v1 has). */
  readonly features = ['ETAG', 'TRANSACTIONAL', 'TTL', 'QUERY_API'] as const;
  private cleanupTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {}

  async migrate(): Promise<void> {
    const indexName = `${this.table.split('.').pop() as string}_expires_at_idx`;
    const ddl = `CREATE TABLE IF NOT EXISTS ${this.table} (
        key text NOT NULL PRIMARY KEY,
        value bytea NOT NULL,
        etag uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_at timestamptz,
        expires_at timestamptz);
      CREATE INDEX IF NOT EXISTS ${indexName} ON ${this.table} (expires_at) WHERE expires_at IS NOT NULL;`;
    try {
      await this.pool.query(ddl);
    } catch (err) {
      // Several sidecars in one process may race on IF NOT EXISTS (duplicate pg_type row); the loser retries.
      if (!['23505', '42P07'].includes((err as { code?: string }).code ?? '')) throw err;
      await this.pool.query(ddl);
    }
  }

  /** Expired rows are already invisible to reads; this only reclaims space. `<= 0` disables it. */
  startCleanup(intervalMs: number, ctx: ComponentContext): void {
    if (intervalMs <= 0) return;
    this.cleanupTimer = setInterval(() => {
      this.pool
        .query(
          `DELETE FROM ${this.table} WHERE expires_at IS NOT NULL AND expires_at <= CURRENT_TIMESTAMP`,
        )
        .catch((err: unknown) =>
          ctx.logger.warn({ err, component: ctx.name }, 'expired state cleanup failed'),
        );
    }, intervalMs);
    this.cleanupTimer.unref();
  }

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

  async set(req: SetRequest): Promise<void> {
    await this.setWith(this.pool, req);
  }

  async delete(req: DeleteRequest): Promise<void> {
    await this.deleteWith(this.pool, req);
  }

  async transact(ops: TransactionOperation[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      for (const op of ops) {
        if (op.operation === 'upsert') await this.setWith(client, op.request);
        else await this.deleteWith(client, op.request);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async scan(prefix: string): Promise<Array<{ key: string; data: Buffer; etag: string }>> {
    const { rows } = await this.pool.query<{ key: string; value: Buffer; etag: string }>(
      `SELECT key, value, etag FROM ${this.table} WHERE key LIKE $1 ESCAPE '\\' AND ${NOT_EXPIRED} ORDER BY key`,
      [`${likeEscape(prefix)}%`],
    );
    return rows.map((r) => ({ key: r.key, data: r.value, etag: r.etag }));
  }

  /**
   * The query API on the v2 layout: the value column is bytea holding JSON, so filters and sorts
   * run on `convert_from(value, 'UTF8')::jsonb`. Only the caller's keys (prefix, and no further
   * `||`, which excludes outbox records) are visible.
   */
  async query(prefix: string, q: StateQuery): Promise<QueryResult> {
    const params: unknown[] = [`${likeEscape(prefix)}%`, `${likeEscape(prefix)}%||%`];
    const where = [`key LIKE $1 ESCAPE '\\'`, `key NOT LIKE $2 ESCAPE '\\'`, NOT_EXPIRED];
    if (q.filter) where.push(sqlFilter(q.filter, params));
    const order = q.sort.map((s) => `${jsonPath(s.key, params, '#>')} ${s.order}`);
    order.push('key ASC');
    let sql = `SELECT key, value, etag FROM (SELECT key, value, etag, expires_at, convert_from(value, 'UTF8')::jsonb AS doc FROM ${this.table} WHERE key LIKE $1 ESCAPE '\\') AS t WHERE ${where.join(' AND ')} ORDER BY ${order.join(', ')}`;
    if (q.limit !== undefined) sql += ` LIMIT ${q.limit}`;
    if (q.offset > 0) sql += ` OFFSET ${q.offset}`;
    const { rows } = await this.pool.query<{ key: string; value: Buffer; etag: string }>(
      sql,
      params,
    );
    const results = rows.map((r) => ({
      key: r.key.slice(prefix.length),
      data: r.value,
      etag: r.etag,
    }));
    return pageResult(results, q);
  }

  async close(): Promise<void> {
    clearInterval(this.cleanupTimer);
    await this.pool.end();
  }

  private async setWith(db: Queryable, req: SetRequest): Promise<void> {
    const ttl = req.ttlInSeconds;
    const expiresAt = ttl !== undefined && ttl > 0 ? new Date(Date.now() + ttl * 1000) : null;
    if (req.etag !== undefined) {
      if (!UUID.test(req.etag))
        throw new EtagError('mismatch', `possible etag mismatch: "${req.etag}" is not a UUID`);
      const res = await db.query(
        `UPDATE ${this.table} SET value = $2, etag = $3, updated_at = CURRENT_TIMESTAMP, expires_at = $4
         WHERE key = $1 AND etag = $5 AND ${NOT_EXPIRED}`,
        [req.key, req.value, randomUUID(), expiresAt, req.etag],
      );
      if (res.rowCount === 0) throw new EtagError('mismatch', 'possible etag mismatch');
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

  private async deleteWith(db: Queryable, req: DeleteRequest): Promise<void> {
    if (req.etag === undefined) {
      await db.query(`DELETE FROM ${this.table} WHERE key = $1`, [req.key]);
      return;
    }
    if (!UUID.test(req.etag))
      throw new EtagError('mismatch', `possible etag mismatch: "${req.etag}" is not a UUID`);
    const res = await db.query(`DELETE FROM ${this.table} WHERE key = $1 AND etag = $2`, [
      req.key,
      req.etag,
    ]);
    if (res.rowCount === 0) throw new EtagError('mismatch', 'possible etag mismatch');
  }
}

/**
 * Dapr accepts both a URL and a libpq/pgx keyword string (`host=… user=… port=5432 database=…`);
 * node-postgres understands only the URL form, so keyword strings are translated here.
 */
export function parseConnectionString(cs: string): pg.PoolConfig {
  if (/^postgres(ql)?:\/\//i.test(cs)) return { connectionString: cs };
  const cfg: pg.PoolConfig = {};
  const re = /(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)/g;
  for (const [, k, raw] of cs.matchAll(re)) {
    const v = (raw ?? '').startsWith("'")
      ? (raw as string).slice(1, -1).replace(/\\(.)/g, '$1')
      : (raw ?? '');
    switch ((k ?? '').toLowerCase()) {
      case 'host':
      case 'hostaddr':
        cfg.host = v;
        break;
      case 'port':
        cfg.port = Number(v);
        break;
      case 'user':
        cfg.user = v;
        break;
      case 'password':
        cfg.password = v;
        break;
      case 'database':
      case 'dbname':
        cfg.database = v;
        break;
      case 'connect_timeout':
        cfg.connectionTimeoutMillis = Number(v) * 1000;
        break;
      case 'sslmode':
        // node-postgres cannot fall back from TLS, so allow/prefer connect in plain text.
        cfg.ssl = ['disable', 'allow', 'prefer'].includes(v)
          ? false
          : { rejectUnauthorized: v.startsWith('verify') };
        break;
      default:
        break; // pool_* and other pgx-only keywords have no node-postgres equivalent
    }
  }
  return cfg;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `doc #> '{a,b}'` (jsonb) or `doc #>> '{a,b}'` (text), the path passed as a parameter. */
function jsonPath(key: string[], params: unknown[], op: '#>' | '#>>'): string {
  params.push(key);
  return `(doc ${op} $${params.length}::text[])`;
}

function sqlFilter(f: Filter, params: unknown[]): string {
  switch (f.op) {
    case 'AND':
    case 'OR':
      return `(${f.filters.map((c) => sqlFilter(c, params)).join(` ${f.op} `)})`;
    case 'IN': {
      const target = jsonPath(f.key, params, '#>');
      params.push(f.values.map((v) => JSON.stringify(v)));
      return `${target} = ANY($${params.length}::jsonb[])`;
    }
    case 'EQ':
    case 'NEQ': {
      const target = jsonPath(f.key, params, '#>');
      params.push(JSON.stringify(f.value));
      return f.op === 'EQ'
        ? `${target} = $${params.length}::jsonb`
        : `(${target} IS NOT NULL AND ${target} <> $${params.length}::jsonb)`;
    }
    default: {
      const sqlOp = { GT: '>', GTE: '>=', LT: '<', LTE: '<=' }[f.op];
      if (typeof f.value === 'number') {
        const typed = jsonPath(f.key, params, '#>');
        const text = jsonPath(f.key, params, '#>>');
        params.push(f.value);
        return `(jsonb_typeof(${typed}) = 'number' AND (CASE WHEN jsonb_typeof(${typed}) = 'number' THEN ${text}::numeric END) ${sqlOp} $${params.length})`;
      }
      const typed = jsonPath(f.key, params, '#>');
      const text = jsonPath(f.key, params, '#>>');
      params.push(String(f.value));
      return `(jsonb_typeof(${typed}) = 'string' AND ${text} COLLATE "C" ${sqlOp} $${params.length})`;
    }
  }
}
