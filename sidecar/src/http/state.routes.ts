import type { Components, LoadedStateStore } from '../components/registry.js';
import { MalformedKeyError, originalStateKey, toStoreKey } from '../state/keys.js';
import {
  EtagError,
  type Concurrency,
  type SetRequest,
  type TransactionOperation,
} from '../state/store.js';
import { ApiError, sendEmpty, sendJson } from './errors.js';
import { canonicalJson, field, optionalString, parseJsonBody, stringMap } from './json.js';
import type { RouteRequest, Router } from './router.js';
import { rfc3339 } from '../time.js';
import { parseQuery, QueryError } from '../state/query.js';

/** The state API (daprd pkg/api/http/http.go constructStateEndpoints). */
export function registerStateRoutes(router: Router, components: Components): void {
  const storeOf = (req: RouteRequest): LoadedStateStore => {
    if (components.state.size === 0)
      throw new ApiError(500, 'ERR_STATE_STORE_NOT_CONFIGURED', 'state store is not configured');
    const name = req.params.store as string;
    const s = components.state.get(name);
    if (!s)
      throw new ApiError(400, 'ERR_STATE_STORE_NOT_FOUND', `state store ${name} is not found`);
    return s;
  };

  router.add(['POST', 'PUT'], '/v1.0/state/:store/bulk', async (req, res) => {
    const s = storeOf(req);
    const body = parseJsonBody(await req.body());
    const keys = field(body, 'keys') ?? [];
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
      throw new ApiError(400, 'ERR_MALFORMED_REQUEST', '"keys" must be an array of strings');
    }
    const storeKeys = (keys as string[]).map((k) => storeKey(s, k));
    const results = s.store.bulkGet
      ? await bulkGetAtOnce(s, storeKeys)
      : await getOneByOne(s, storeKeys, Number(field(body, 'parallelism')) || 100);
    sendJson(res, 200, results);
  });

  router.add(['POST', 'PUT'], '/v1.0/state/:store/transaction', async (req, res) => {
    const s = storeOf(req);
    if (!s.capabilities.includes('TRANSACTIONAL')) {
      throw new ApiError(
        500,
        'ERR_STATE_STORE_NOT_SUPPORTED',
        `state store ${s.name} doesn't support transaction`,
      );
    }
    const body = parseJsonBody(await req.body());
    // Request-level metadata (body, then query string) overrides each operation's own metadata.
    const requestMeta = { ...stringMap(body, 'metadata'), ...req.metadata };
    const rawOps = field(body, 'operations') ?? [];
    if (!Array.isArray(rawOps))
      throw new ApiError(400, 'ERR_MALFORMED_REQUEST', '"operations" must be an array');
    const ops: TransactionOperation[] = rawOps.map((op: unknown) => {
      const kind = field(op, 'operation');
      const request = field(op, 'request');
      if (kind !== 'upsert' && kind !== 'delete') {
        throw new ApiError(
          400,
          'ERR_NOT_SUPPORTED_STATE_OPERATION',
          `operation type ${String(kind)} not supported`,
        );
      }
      const key = storeKey(s, requiredKey(request));
      const etag = etagOf(request);
      const meta = { ...stringMap(request, 'metadata'), ...requestMeta };
      const concurrency = options(request, 'ERR_STATE_TRANSACTION');
      if (kind === 'delete') return { operation: 'delete', request: { key, etag, concurrency } };
      return {
        operation: 'upsert',
        request: setRequest(key, request, etag, concurrency, meta, 'ERR_STATE_TRANSACTION'),
      };
    });
    if (ops.length === 0) return sendEmpty(res);
    try {
      await s.store.transact(ops);
    } catch (err) {
      // Inside a transaction every failure, an etag mismatch included, is a 500.
      throw new ApiError(
        500,
        'ERR_STATE_TRANSACTION',
        `error while executing state transaction: ${(err as Error).message}`,
      );
    }
    sendEmpty(res);
  });

  router.add(['POST', 'PUT'], '/v1.0-alpha1/state/:store/query', async (req, res) => {
    const s = storeOf(req);
    // daprd's QueryStateAlpha1: every failure after the store lookup, a malformed query included, is a 500.
    if (!s.store.query)
      throw new ApiError(
        500,
        'ERR_STATE_STORE_NOT_SUPPORTED',
        'state store does not support querying',
      );
    const failed = (detail: string) =>
      new ApiError(500, 'ERR_STATE_QUERY', `state store ${s.name} query failed: ${detail}`);
    let query;
    try {
      query = parseQuery(JSON.parse((await req.body()).toString('utf8')));
    } catch (err) {
      const parse = err instanceof QueryError || err instanceof SyntaxError;
      throw failed(`${parse ? 'failed to parse JSON query body: ' : ''}${(err as Error).message}`);
    }
    let result;
    try {
      result = await s.store.query(s.keyPrefix === '' ? '' : `${s.keyPrefix}||`, query);
    } catch (err) {
      throw failed((err as Error).message);
    }
    if (result.results.length === 0) return sendEmpty(res);
    sendJson(res, 200, {
      results: result.results.map((r) => ({
        key: originalStateKey(r.key),
        data: decodeStored(r.data),
        etag: r.etag,
      })),
      ...(result.token ? { token: result.token } : {}),
    });
  });

  router.add(['GET'], '/v1.0/state/:store/:key', async (req, res) => {
    const s = storeOf(req);
    const key = req.params.key as string;
    const stored = storeKey(s, key);
    let item;
    try {
      item = await s.store.get(stored);
    } catch (err) {
      throw new ApiError(
        500,
        'ERR_STATE_GET',
        `fail to get ${key} from state store ${s.name}: ${(err as Error).message}`,
      );
    }
    if (!item) return sendEmpty(res);
    res.writeHead(200, {
      'content-type': 'application/json',
      etag: item.etag,
      ...(item.expiresAt ? { 'metadata.ttlExpireTime': rfc3339(item.expiresAt) } : {}),
    });
    res.end(item.data);
  });

  router.add(['POST', 'PUT'], '/v1.0/state/:store', async (req, res) => {
    const s = storeOf(req);
    const body = parseJsonBody(await req.body());
    if (!Array.isArray(body))
      throw new ApiError(400, 'ERR_MALFORMED_REQUEST', 'the body must be a JSON array');
    const items = body.map((item: unknown) => {
      const key = storeKey(s, requiredKey(item));
      // Query-string metadata overrides item metadata (maps.Copy in daprd).
      const meta = { ...stringMap(item, 'metadata'), ...req.metadata };
      return setRequest(
        key,
        item,
        etagOf(item),
        options(item, 'ERR_STATE_SAVE'),
        meta,
        'ERR_STATE_SAVE',
      );
    });
    for (const item of items) {
      await s.store.set(item).catch((err: unknown) => {
        throw storeError(err, 'ERR_STATE_SAVE', `failed saving state in state store ${s.name}`);
      });
    }
    sendEmpty(res);
  });

  router.add(['DELETE'], '/v1.0/state/:store/:key', async (req, res) => {
    const s = storeOf(req);
    const key = req.params.key as string;
    const ifMatch = req.raw.headers['if-match'];
    const concurrency = concurrencyOf(
      req.query.get('concurrency') ?? undefined,
      'ERR_STATE_DELETE',
    );
    await s.store
      .delete({ key: storeKey(s, key), ...(ifMatch ? { etag: ifMatch } : {}), concurrency })
      .catch((err: unknown) => {
        throw storeError(err, 'ERR_STATE_DELETE', `failed deleting state with key ${key}`);
      });
    sendEmpty(res);
  });
}

type BulkItem = { key: string; data?: unknown; etag?: string; metadata?: object; error?: string };

/** daprd's answer for one item of a bulk get: the key as the caller wrote it. */
function bulkItem(item: { key: string; data?: Buffer; etag?: string; expiresAt?: Date }): BulkItem {
  if (!item.data) return { key: originalStateKey(item.key) };
  return {
    key: originalStateKey(item.key),
    data: decodeStored(item.data),
    etag: item.etag,
    ...(item.expiresAt ? { metadata: { ttlExpireTime: rfc3339(item.expiresAt) } } : {}),
  };
}

/** A store with its own bulk get: one call, its order; a list shorter than the keys is padded as daprd pads it. */
async function bulkGetAtOnce(s: LoadedStateStore, keys: string[]): Promise<BulkItem[]> {
  let items;
  try {
    items = await (s.store.bulkGet as NonNullable<typeof s.store.bulkGet>)(keys);
  } catch (err) {
    throw new ApiError(500, 'ERR_STATE_BULK_GET', (err as Error).message);
  }
  return keys.map((_, i) => (items[i] ? bulkItem(items[i]) : { key: '' }));
}

/** Without one: a get per key, `parallelism` at a time; a failed key carries its error. */
async function getOneByOne(
  s: LoadedStateStore,
  keys: string[],
  parallelism: number,
): Promise<BulkItem[]> {
  const results: BulkItem[] = [];
  for (let i = 0; i < keys.length; i += parallelism) {
    const batch = keys.slice(i, i + parallelism).map(async (key) => {
      try {
        return bulkItem({ key, ...(await s.store.get(key)) });
      } catch (err) {
        return { key: originalStateKey(key), error: (err as Error).message };
      }
    });
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

function storeKey(s: LoadedStateStore, key: string): string {
  try {
    return toStoreKey(s.keyPrefix, key);
  } catch (err) {
    if (err instanceof MalformedKeyError)
      throw new ApiError(400, 'ERR_MALFORMED_REQUEST', err.message);
    throw err;
  }
}

function requiredKey(item: unknown): string {
  const key = optionalString(item, 'key');
  if (!key) throw new ApiError(400, 'ERR_MALFORMED_REQUEST', '"key" is a required field');
  return key;
}

/** An empty etag means "no etag" (daprd's HasETag). */
function etagOf(item: unknown): string | undefined {
  return optionalString(item, 'etag') || undefined;
}

function options(item: unknown, errorCode: string): Concurrency | undefined {
  const opts = field(item, 'options');
  const consistency = optionalString(opts, 'consistency') ?? '';
  if (!['', 'strong', 'eventual'].includes(consistency)) {
    throw new ApiError(500, errorCode, `unrecognized consistency model '${consistency}'`);
  }
  return concurrencyOf(optionalString(opts, 'concurrency'), errorCode);
}

function concurrencyOf(value: string | undefined, errorCode: string): Concurrency | undefined {
  if (value === undefined || value === '') return undefined;
  if (value !== 'first-write' && value !== 'last-write') {
    throw new ApiError(500, errorCode, `unrecognized concurrency model '${value}'`);
  }
  return value;
}

function setRequest(
  key: string,
  item: unknown,
  etag: string | undefined,
  concurrency: Concurrency | undefined,
  meta: Record<string, string>,
  errorCode: string,
): SetRequest {
  const req: SetRequest = {
    key,
    value: Buffer.from(canonicalJson(field(item, 'value') ?? null)),
    etag,
    concurrency,
  };
  const ttl = meta.ttlInSeconds;
  if (ttl !== undefined) {
    const n = Number(ttl);
    if (ttl.trim() === '' || !Number.isInteger(n) || n < -1) {
      throw new ApiError(
        500,
        errorCode,
        `invalid value for metadata.ttlInSeconds: ${ttl} (an integer >= -1)`,
      );
    }
    req.ttlInSeconds = n;
  }
  return req;
}

/** ETag mismatch → 409, malformed ETag → 400, anything else → 500 (daprd's state error mapping). */
function storeError(err: unknown, errorCode: string, context: string): ApiError {
  const status = err instanceof EtagError ? (err.kind === 'mismatch' ? 409 : 400) : 500;
  return new ApiError(status, errorCode, `${context}: ${(err as Error).message}`);
}

/** Stored bytes are JSON when saved through the API; anything else (e.g. written by another client) is returned as a string. */
function decodeStored(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return data.toString('utf8');
  }
}
