/**
 * The contract every state backend implements. Keys arrive already prefixed
 * (`<appId>||<key>`); values are the JSON bytes to keep. To add a backend, write one file
 * exporting a `StateStoreFactory` and add one line to `components/registry.ts`.
 */
export type Concurrency = 'first-write' | 'last-write';

/** Capability strings as Dapr's metadata API reports them (components-contrib state/feature.go). */
export type StateFeature = 'ETAG' | 'TRANSACTIONAL' | 'TTL' | 'QUERY_API' | 'ACTOR';

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
  close(): Promise<void>;
}

/**
 * `mismatch` → the API answers 409, `invalid` → 400 (outside transactions, where Dapr
 * reports every failure as 500).
 */
export class EtagError extends Error {
  constructor(
    readonly kind: 'mismatch' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}
