import { Redis } from 'ioredis';
import type { ComponentContext } from '../components/context.js';
import { redisOptions } from '../components/redis-options.js';
import type {
  DeleteRequest,
  GetResponse,
  SetRequest,
  StateStore,
  TransactionOperation,
} from './store.js';
import { EtagError } from './store.js';

/**
 * Layout and rules as daprd's state.redis (its setDefaultQuery/delDefaultQuery scripts): a hash
 * `{data, version[, first-write]}` per key, etag = the integer version. A write passes when the
 * key is missing, or its etag matches, or it carries no etag (`last-write` counts as none) and the
 * stored item was not written with `first-write`; a single save with `first-write` marks the item
 * so (daprd's transactions never do). A delete passes without an etag or with the matching one.
 *
 * One difference, on purpose: one script runs every write, so a transaction is atomic (all
 * checks first, then all writes). daprd runs a transaction as MULTI of those scripts, where a
 * failed check does not stop the other operations and the API answers 204: reproducing that
 * would lose writes; the operator refuses Redis state for the same reason.
 * TTL: > 0 → EXPIRE, <= 0 → PERSIST, absent → unchanged.
 */
const APPLY = `
local ops = cjson.decode(ARGV[1])
for i, o in ipairs(ops) do
  local version = redis.call('HGET', o.k, 'version')
  if version then
    local marked = redis.call('HEXISTS', o.k, 'first-write') == 1
    if o.e then
      if version ~= o.e then return redis.error_reply('ETAG_MISMATCH ' .. o.k) end
    elseif not o.d and marked then
      return redis.error_reply('ETAG_MISMATCH first-write: ' .. o.k .. ' exists')
    end
  end
end
for i, o in ipairs(ops) do
  if o.d then
    redis.call('DEL', o.k)
  else
    redis.call('HINCRBY', o.k, 'version', 1)
    redis.call('HSET', o.k, 'data', o.v)
    if o.fw then redis.call('HSET', o.k, 'first-write', 0) end
    if o.t then
      if o.t > 0 then redis.call('EXPIRE', o.k, o.t) else redis.call('PERSIST', o.k) end
    end
  end
end
return #ops
`;

interface ScriptOp {
  k: string;
  v?: string;
  e?: string;
  fw?: boolean;
  d?: boolean;
  t?: number;
}

export async function createRedisStateStore(ctx: ComponentContext): Promise<StateStore> {
  const md = ctx.metadata;
  const defaultTtl = md.get('ttlInSeconds') === undefined ? undefined : md.int('ttlInSeconds', 0);
  const redis = new Redis(redisOptions(md));
  redis.on('error', (err) => ctx.logger.warn({ err }, 'redis state store connection error'));
  try {
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`${md.origin}: cannot reach Redis: ${(err as Error).message}`);
  }
  redis.defineCommand('flockApply', { numberOfKeys: 0, lua: APPLY });
  return new RedisStateStore(redis, defaultTtl);
}

type WithApply = Redis & { flockApply(ops: string): Promise<number> };

class RedisStateStore implements StateStore {
  readonly features = ['ETAG', 'TRANSACTIONAL', 'TTL', 'QUERY_API'] as const;

  constructor(
    private readonly redis: Redis,
    private readonly defaultTtl: number | undefined,
  ) {}

  async get(key: string): Promise<GetResponse | undefined> {
    const fields = await this.redis.hgetall(key);
    if (fields.data === undefined) return undefined;
    // daprd's Redis store reports no expiry time on reads (Postgres does: metadata.ttlExpireTime).
    return { data: Buffer.from(fields.data), etag: fields.version ?? '1' };
  }

  /**
   * daprd's Redis store advertises the query API but serves it only with RedisJSON and the
   * component's `queryIndexes`; without them every query fails like this.
   */
  query(): Promise<never> {
    return Promise.reject(new Error('redis-json server support is required for query capability'));
  }

  async set(req: SetRequest): Promise<void> {
    await this.apply([{ operation: 'upsert', request: req }], true);
  }

  async delete(req: DeleteRequest): Promise<void> {
    await this.apply([{ operation: 'delete', request: req }]);
  }

  transact(ops: TransactionOperation[]): Promise<void> {
    return this.apply(ops);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** `single`: a plain save or delete, where daprd marks first-write items (not in transactions). */
  private async apply(ops: TransactionOperation[], single = false): Promise<void> {
    const script: ScriptOp[] = ops.map(({ operation, request }) => {
      const op: ScriptOp = { k: request.key };
      if (
        request.etag !== undefined &&
        request.etag !== '' &&
        request.concurrency !== 'last-write'
      ) {
        if (!/^\d+$/.test(request.etag)) throw new EtagError('invalid', request.etag);
        op.e = request.etag;
      }
      if (single && operation === 'upsert' && request.concurrency === 'first-write') op.fw = true;
      if (operation === 'delete') op.d = true;
      else {
        op.v = request.value.toString('utf8');
        const ttl = request.ttlInSeconds ?? this.defaultTtl;
        if (ttl !== undefined) op.t = ttl;
      }
      return op;
    });
    try {
      await (this.redis as WithApply).flockApply(JSON.stringify(script));
    } catch (err) {
      const message = (err as Error).message;
      if (message.includes('ETAG_MISMATCH')) throw new EtagError('mismatch');
      throw err;
    }
  }
}
