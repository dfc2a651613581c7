import type {
  GetResponse,
  SetRequest,
  DeleteRequest,
  StateStore,
  TransactionOperation,
} from './store.js';
import { EtagError } from './store.js';
import { runQuery, type QueryResult, type StateQuery } from './query.js';

interface Entry {
  data: Buffer;
  etag: string;
  expiresAt?: Date;
}

/**
 * `state.in-memory`: a Map per component instance, lost on stop. ETags are increasing integers;
 * any other etag simply does not match (409), as in daprd's in-memory store.
 */
export class InMemoryStateStore implements StateStore {
  readonly features = ['ETAG', 'TRANSACTIONAL', 'TTL', 'QUERY_API'] as const;
  private readonly items = new Map<string, Entry>();
  private version = 0;

  async get(key: string): Promise<GetResponse | undefined> {
    return this.live(key);
  }

  async set(req: SetRequest): Promise<void> {
    this.apply({ operation: 'upsert', request: req });
  }

  async delete(req: DeleteRequest): Promise<void> {
    this.apply({ operation: 'delete', request: req });
  }

  /** Runs synchronously, so no other request interleaves; a failure restores the touched keys. */
  async transact(ops: TransactionOperation[]): Promise<void> {
    const before = new Map(ops.map((op) => [op.request.key, this.items.get(op.request.key)]));
    try {
      for (const op of ops) this.apply(op);
    } catch (err) {
      for (const [key, entry] of before) {
        if (entry) this.items.set(key, entry);
        else this.items.delete(key);
      }
      throw err;
    }
  }

  /** Live items whose key starts with `prefix`. */
  private entries(prefix: string): Array<{ key: string; data: Buffer; etag: string }> {
    const out = [];
    for (const key of [...this.items.keys()]) {
      const entry = key.startsWith(prefix) ? this.live(key) : undefined;
      if (entry) out.push({ key, data: entry.data, etag: entry.etag });
    }
    return out;
  }

  async query(prefix: string, q: StateQuery): Promise<QueryResult> {
    const items = this.entries(prefix)
      .filter((i) => !i.key.slice(prefix.length).includes('||'))
      .map((i) => ({ ...i, value: decode(i.data) }));
    return runQuery(items, q);
  }

  async close(): Promise<void> {
    this.items.clear();
  }

  private apply(op: TransactionOperation): void {
    const { key, etag, concurrency } = op.request;
    const current = this.live(key);
    if (etag !== undefined) {
      if (current?.etag !== etag) throw new EtagError('mismatch');
    } else if (op.operation === 'upsert' && concurrency === 'first-write' && current) {
      throw new EtagError('mismatch', 'first-write: the key already exists and no etag was given');
    }
    if (op.operation === 'delete') {
      this.items.delete(key);
      return;
    }
    const ttl = op.request.ttlInSeconds;
    this.items.set(key, {
      data: op.request.value,
      etag: String(++this.version),
      ...(ttl !== undefined && ttl > 0 ? { expiresAt: new Date(Date.now() + ttl * 1000) } : {}),
    });
  }

  /** Expired entries are removed when touched, so no timer is needed. */
  private live(key: string): Entry | undefined {
    const entry = this.items.get(key);
    if (entry?.expiresAt && entry.expiresAt.getTime() <= Date.now()) {
      this.items.delete(key);
      return undefined;
    }
    return entry;
  }
}

function decode(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
}
