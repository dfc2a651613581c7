/**
 * The contract every state backend implements. Keys arrive already prefixed
 * (`<appId>||<key>`); values are the JSON bytes to keep. To add a backend, write one file
 * exporting a `StateStoreFactory` and add one line to `components/registry.ts`.
 */
import type { QueryResult, StateQuery } from './query.js';

export type Concurrency = 'first-write' | 'last-write';

/** Capability strings as Dapr's metadata API reports them (components-contrib state/feature.go). */
export type StateFeature = 'ETAG' | 'TRANSACTIONAL' | 'TTL' | 'KEYS_LIKE' | 'QUERY_API' | 'ACTOR';

export interface SetRequest {
  key: string;
  value: Buffer;
  etag?: string;
  concurrency?: Concurrency;
  /** Seconds until expiry; undefined, 0 or -1 = never expires. */
  ttlInSeconds?: number;
}

export interface DeleteRequest {
  key: string;
  etag?: string;
  concurrency?: Concurrency;
}

export interface GetResponse {
  data: Buffer;
  etag: string;
  /** When the item expires; surfaces as the `metadata.ttlExpireTime` response header. */
  expiresAt?: Date;
}

export type TransactionOperation =
  { operation: 'upsert'; request: SetRequest } | { operation: 'delete'; request: DeleteRequest };

export interface StateStore {
  readonly features: readonly StateFeature[];
  get(key: string): Promise<GetResponse | undefined>;
  /** Throws EtagError on a concurrency conflict or a malformed etag. */
  set(req: SetRequest): Promise<void>;
  delete(req: DeleteRequest): Promise<void>;
  /** All operations or none. */
  transact(ops: TransactionOperation[]): Promise<void>;
  /** Several keys at once, in the store's own order (daprd's BulkGet); absent → one get per key. */
  bulkGet?(keys: string[]): Promise<Array<{ key: string } & Partial<GetResponse>>>;
  /**
   * The query API. `prefix` is the caller's (`<appId>||`): a store may limit itself to those keys
   * or, as daprd's Postgres v1, search every row. Returned keys are as stored.
   * Absent → 500 ERR_STATE_STORE_NOT_SUPPORTED.
   */
  query?(prefix: string, q: StateQuery): Promise<QueryResult>;
  close(): Promise<void>;
}

/**
 * daprd's state.ETagError: `mismatch` → the API answers 409, `invalid` → 400 (outside
 * transactions, where Dapr reports every failure as 500). The message is daprd's, a prefix and
 * the cause if there is one ("invalid etag value: strconv.ParseUint: …").
 */
export class EtagError extends Error {
  constructor(
    readonly kind: 'mismatch' | 'invalid',
    cause?: string,
  ) {
    const prefix =
      kind === 'mismatch' ? 'possible etag mismatch. error from state store' : 'invalid etag value';
    super(cause ? `${prefix}: ${cause}` : prefix);
  }
}
