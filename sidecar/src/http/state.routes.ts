import type { Components, LoadedStateStore } from '../components/registry.js';
import { MalformedKeyError, toStoreKey } from '../state/keys.js';
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
import { Outbox, type AfterCommitHook } from '../state/outbox.js';
import { parseQuery, QueryError } from '../state/query.js';

export interface StateRouteDeps {
  outbox: Outbox;
  afterOutboxCommit?: AfterCommitHook;
}

/** The state API (daprd pkg/api/http/http.go constructStateEndpoints). */
export function registerStateRoutes(
  router: Router,
  components: Components,
  deps: StateRouteDeps,
): void {
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
    const parallelism = Number(field(body, 'parallelism')) || 100;
    const storeKeys = (keys as string[]).map((k) => storeKey(s, k));
    const results: unknown[] = [];
    for (let i = 0; i < keys.length; i += parallelism) {
      const batch = (keys as string[]).slice(i, i + parallelism).map(async (key, j) => {
        try {
          const item = await s.store.get(storeKeys[i + j] as string);
          if (!item) return { key };
          return {
            key,
            data: decodeStored(item.data),
            etag: item.etag,
            ...(item.expiresAt ? { metadata: { ttlExpireTime: rfc3339(item.expiresAt) } } : {}),
          };
        } catch (err) {
          return { key, error: (err as Error).message };
        }
      });
      results.push(...(await Promise.all(batch)));
    }
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
    const pending = deps.outbox.prepare(s, ops, {
      traceparent: headerOf(req, 'traceparent'),
      tracestate: headerOf(req, 'tracestate'),
    });
    try {
      await s.store.transact(pending ? [...ops, ...Outbox.operations(pending)] : ops);
    } catch (err) {
      // Inside a transaction every failure, an etag mismatch included, is a 500.
      throw new ApiError(
        500,
        'ERR_STATE_TRANSACTION',
        `error while executing state transaction: ${(err as Error).message}`,
      );
    }
    if (pending) {
      await deps.afterOutboxCommit?.();
      // Committed: a failed publish leaves the record for the sweep, the caller still succeeds.
      await deps.outbox.flush(pending).catch(() => undefined);
    }
    sendEmpty(res);
  });

  router.add(['POST', 'PUT'], '/v1.0-alpha1/state/:store/query', async (req, res) => {
    const s = storeOf(req);
    if (!s.store.query)
      throw new ApiError(
        500,
        'ERR_STATE_STORE_NOT_SUPPORTED',
        `state store ${s.name} doesn't support query`,
      );
    let query;
    try {
      query = parseQuery(parseJsonBody(await req.body()));
    } catch (err) {
      if (err instanceof QueryError) throw new ApiError(400, 'ERR_MALFORMED_REQUEST', err.message);
      throw err;
    }
    let result;
    try {
      result = await s.store.query(s.keyPrefix === '' ? '' : `${s.keyPrefix}||`, query);
    } catch (err) {
      throw new ApiError(
        500,
        'ERR_STATE_QUERY',
        `failed query in state store ${s.name}: ${(err as Error).message}`,
      );
    }
    if (result.results.length === 0) return sendEmpty(res);
    sendJson(res, 200, {
      results: result.results.map((r) => ({
        key: r.key,
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
  const message = (err as Error).message;
  if (err instanceof EtagError && err.kind === 'mismatch') {
    return new ApiError(
      409,
      errorCode,
      `${context}: possible etag mismatch. error from state store: ${message}`,
    );
  }
  if (err instanceof EtagError)
    return new ApiError(400, errorCode, `${context}: invalid etag value: ${message}`);
  return new ApiError(500, errorCode, `${context}: ${message}`);
}

/** Stored bytes are JSON when saved through the API; anything else (e.g. written by another client) is returned as a string. */
function decodeStored(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return data.toString('utf8');
  }
}

function headerOf(req: RouteRequest, name: string): string | undefined {
  const v = req.raw.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
