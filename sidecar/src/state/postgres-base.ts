import type pg from 'pg';
import type {
  DeleteRequest,
  GetResponse,
  SetRequest,
  StateFeature,
  StateStore,
  TransactionOperation,
} from './store.js';
import { inTransaction, type Queryable } from './postgres-pool.js';

/**
 * What `state.postgresql` v1 and v2 share: one pool, writes that run alone or inside a
 * transaction (all or nothing), and the cleanup timer. Each version supplies its own SQL.
 */
export abstract class PostgresStateStoreBase implements StateStore {
  abstract readonly features: readonly StateFeature[];
  stopCleanup: () => void = () => undefined;

  constructor(
    protected readonly pool: pg.Pool,
    protected readonly table: string,
  ) {}

  abstract get(key: string): Promise<GetResponse | undefined>;
  protected abstract setWith(db: Queryable, req: SetRequest): Promise<void>;
  protected abstract deleteWith(db: Queryable, req: DeleteRequest): Promise<void>;

  async set(req: SetRequest): Promise<void> {
    await this.setWith(this.pool, req);
  }

  async delete(req: DeleteRequest): Promise<void> {
    await this.deleteWith(this.pool, req);
  }

  async transact(ops: TransactionOperation[]): Promise<void> {
    await inTransaction(this.pool, async (db) => {
      for (const op of ops) {
        if (op.operation === 'upsert') await this.setWith(db, op.request);
        else await this.deleteWith(db, op.request);
      }
    });
  }

  async close(): Promise<void> {
    this.stopCleanup();
    await this.pool.end();
  }
}

/** Runs the store's migrations; on failure the pool is closed and the error names the table. */
export async function prepareTable(
  pool: pg.Pool,
  table: string,
  origin: string,
  migrate: () => Promise<void>,
): Promise<void> {
  try {
    await migrate();
  } catch (err) {
    await pool.end();
    throw new Error(`${origin}: cannot prepare table ${table}: ${(err as Error).message}`);
  }
}
