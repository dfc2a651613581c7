import { cpus } from 'node:os';
import pg from 'pg';
import type { ComponentContext } from '../components/context.js';

/** A pool or a client inside a transaction: the state stores write through either. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** Table names are spliced into SQL (as daprd does), so only plain `schema.table` names pass. */
export function tableNameFrom(ctx: ComponentContext, field: string, value: string): string {
  if (!/^[A-Za-z0-9_.]+$/.test(value)) {
    throw new Error(
      `${ctx.metadata.origin}: metadata field "${field}" may hold only letters, digits, "_" and "."`,
    );
  }
  return value;
}

/** `metadataTableName`: where daprd records migrations and cleanup runs (default `dapr_metadata`). */
export function metadataTableFrom(ctx: ComponentContext): string {
  return tableNameFrom(
    ctx,
    'metadataTableName',
    ctx.metadata.string('metadataTableName', '') || 'dapr_metadata',
  );
}

/** The component's connection pool, tuned by daprd's metadata fields (`maxConns`, `timeout`, …). */
export function openPostgresPool(ctx: ComponentContext): pg.Pool {
  const md = ctx.metadata;
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
  return pool;
}

/** Runs `work` in one transaction on one client: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (db: Queryable) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
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
