import type { DaprClient } from '@dapr/dapr';
import { StateConcurrencyEnum, StateConsistencyEnum } from '@dapr/dapr';
import { sidecarError } from './errors.js';

export interface StateEntry<T> {
  key: string;
  value: T;
  etag: string;
}

export interface SaveOptions {
  /** Write only if the stored item still has this etag. */
  etag?: string;
  /**
   * Defaults to first-write with an etag and last-write without one: Dapr's first-write without
   * an etag means "insert only", which refuses to overwrite an existing item.
   */
  concurrency?: 'first-write' | 'last-write';
  ttlInSeconds?: number;
}

export type TransactionOperation =
  | {
      operation: 'upsert';
      key: string;
      value: unknown;
      etag?: string;
      /** 'first-write' without an etag inserts only: the transaction fails if the key exists. */
      concurrency?: 'first-write' | 'last-write';
      ttlInSeconds?: number;
    }
  | { operation: 'delete'; key: string; etag?: string };

/** A value as read, with the etag that guards writing it back (domain code passes these around). */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/**
 * An upsert that cannot overwrite another writer's change: under `etag` when the item was read,
 * insert-only (first-write, no etag) when it was absent. Either way a lost race fails the
 * transaction with a WriteConflict.
 */
export function guardedUpsert(
  key: string,
  value: unknown,
  etag: string | undefined,
  ttlInSeconds?: number,
): TransactionOperation {
  const ttl = ttlInSeconds === undefined ? {} : { ttlInSeconds };
  return etag === undefined
    ? { operation: 'upsert', key, value, concurrency: 'first-write', ...ttl }
    : { operation: 'upsert', key, value, etag, ...ttl };
}

export interface StateQuery {
  filter?: Record<string, unknown>;
  sort?: Array<{ key: string; order?: 'ASC' | 'DESC' }>;
  page?: { limit: number; token?: string };
}

const optionsOf = (concurrency: SaveOptions['concurrency'], etag: string | undefined) => ({
  concurrency:
    (concurrency ?? (etag === undefined ? 'last-write' : 'first-write')) === 'last-write'
      ? StateConcurrencyEnum.CONCURRENCY_LAST_WRITE
      : StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE,
  consistency: StateConsistencyEnum.CONSISTENCY_UNSPECIFIED,
});

// The SDK puts keys into the URL unescaped; the sidecar unescapes path parameters.
const pathKey = (key: string) => encodeURIComponent(key);

const ttlMetadata = (ttl: number | undefined) =>
  ttl === undefined ? undefined : { ttlInSeconds: String(ttl) };

/**
 * One Dapr state store. Every failed write throws: the SDK returns save/delete failures as
 * `{error}` values instead of throwing, and a write nobody notices failed is lost data.
 */
export class StateStore {
  constructor(
    private readonly client: DaprClient,
    readonly name: string,
  ) {}

  /** Reads one item with its etag (through bulk get: the SDK's plain get drops the ETag header). */
  async get<T>(key: string): Promise<StateEntry<T> | undefined> {
    return (await this.getMany<T>([key])).get(key);
  }

  async getMany<T>(keys: readonly string[]): Promise<Map<string, StateEntry<T>>> {
    const found = new Map<string, StateEntry<T>>();
    if (keys.length === 0) return found;
    let items: Array<{ key: string; data?: T; etag?: string; error?: string }>;
    try {
      items = (await this.client.state.getBulk(this.name, [...keys])) as typeof items;
    } catch (error) {
      throw sidecarError(`Reading ${this.name}`, error);
    }
    for (const item of items) {
      if (item.error) throw sidecarError(`Reading ${this.name}/${item.key}`, new Error(item.error));
      if (item.data !== undefined && item.data !== '') {
        found.set(item.key, { key: item.key, value: item.data, etag: item.etag ?? '' });
      }
    }
    return found;
  }

  async save(key: string, value: unknown, options: SaveOptions = {}): Promise<void> {
    const result = await this.client.state.save(this.name, [
      {
        key,
        value,
        ...(options.etag !== undefined ? { etag: options.etag } : {}),
        ...(options.ttlInSeconds !== undefined
          ? { metadata: ttlMetadata(options.ttlInSeconds) }
          : {}),
        options: optionsOf(options.concurrency, options.etag),
      },
    ]);
    if (result.error) throw sidecarError(`Saving ${this.name}/${key}`, result.error);
  }

  async delete(key: string, options: { etag?: string } = {}): Promise<void> {
    const result = await this.client.state.delete(this.name, pathKey(key), {
      ...optionsOf(undefined, options.etag),
      etag: options.etag,
      metadata: {},
    });
    if (result.error) throw sidecarError(`Deleting ${this.name}/${key}`, result.error);
  }

  /** All or nothing. With an outbox configured on the store, the upserts are published on commit. */
  async transact(
    operations: readonly TransactionOperation[],
    metadata?: Record<string, string>,
  ): Promise<void> {
    if (operations.length === 0) return;
    const ops = operations.map((op) => ({
      operation: op.operation,
      request: {
        key: op.key,
        ...(op.operation === 'upsert' ? { value: op.value } : {}),
        // The HTTP API takes the etag as a plain string (the SDK's {value} type is gRPC's shape).
        ...(op.etag !== undefined ? { etag: op.etag } : {}),
        options: optionsOf(op.operation === 'upsert' ? op.concurrency : undefined, op.etag),
        ...(op.operation === 'upsert' && op.ttlInSeconds !== undefined
          ? { metadata: ttlMetadata(op.ttlInSeconds) }
          : {}),
      },
    }));
    try {
      await this.client.state.transaction(this.name, ops as never, (metadata ?? null) as never);
    } catch (error) {
      throw sidecarError(`Transaction on ${this.name}`, error);
    }
  }

  async query<T>(query: StateQuery): Promise<{ results: StateEntry<T>[]; token?: string }> {
    let response: { results: Array<{ key: string; data: T; etag?: string }>; token?: string };
    try {
      response = (await this.client.state.query(
        this.name,
        query as never,
      )) as unknown as typeof response;
    } catch (error) {
      throw sidecarError(`Querying ${this.name}`, error);
    }
    return {
      results: response.results.map((r) => ({ key: r.key, value: r.data, etag: r.etag ?? '' })),
      ...(response.token ? { token: response.token } : {}),
    };
  }
}
