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
 * One script runs every write (single set/delete and transactions), so a transaction is atomic:
 * all etags are checked first, then all writes applied. Layout as daprd's state.redis: a hash
 * `{data, version}` per key, etag = the integer version. An etag on a missing key succeeds
 * (daprd's setDefaultQuery), `last-write` ignores the etag, `first-write` without an etag fails
 * on an existing key. TTL: > 0 → EXPIRE, <= 0 → PERSIST, absent → unchanged.
 */
const APPLY = `
local ops = cjson.decode(ARGV[1])
for i, o in ipairs(ops) do
  local version = redis.call('HGET', o.k, 'version')
  if o.e then
    if version and version ~= o.e then return redis.error_reply('ETAG_MISMATCH ' .. o.k) end
  elseif o.fw and version then
    return redis.error_reply('ETAG_MISMATCH first-write: ' .. o.k .. ' exists')
  end
end
for i, o in ipairs(ops) do
  if o.d then
    redis.call('DEL', o.k)
  else
    redis.call('HINCRBY', o.k, 'version', 1)
    redis.call('HSET', o.k, 'data', o.v)
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
  readonly features = ['ETAG', 'TRANSACTIONAL', 'TTL'] as const;

  constructor(
    private readonly redis: Redis,
    private readonly defaultTtl: number | undefined,
  ) {}

  async get(key: string): Promise<GetResponse | undefined> {
    const res = await this.redis.multi().hgetall(key).pttl(key).exec();
    const [hashErr, hash] = res?.[0] ?? [];
    if (hashErr) throw hashErr;
    const fields = hash as Record<string, string>;
    if (fields.data === undefined) return undefined;
    const pttl = Number(res?.[1]?.[1] ?? -1);
    return {
      data: Buffer.from(fields.data),
      etag: fields.version ?? '1',
      ...(pttl > 0 ? { expiresAt: new Date(Date.now() + pttl) } : {}),
    };
  }

  async set(req: SetRequest): Promise<void> {
    await this.apply([{ operation: 'upsert', request: req }]);
  }

  async delete(req: DeleteRequest): Promise<void> {
    await this.apply([{ operation: 'delete', request: req }]);
  }

  transact(ops: TransactionOperation[]): Promise<void> {
    return this.apply(ops);
  }

  async scan(prefix: string): Promise<Array<{ key: string; data: Buffer; etag: string }>> {
    const keys: string[] = [];
    const pattern = `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const out = [];
    for (const key of keys.sort()) {
      const item = await this.get(key);
      if (item) out.push({ key, data: item.data, etag: item.etag });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async apply(ops: TransactionOperation[]): Promise<void> {
    const script: ScriptOp[] = ops.map(({ operation, request }) => {
      const op: ScriptOp = { k: request.key };
      if (request.etag !== undefined && request.concurrency !== 'last-write') {
        if (!/^\d+$/.test(request.etag)) throw new EtagError('invalid', request.etag);
        op.e = request.etag;
      } else if (request.etag === undefined && request.concurrency === 'first-write') op.fw = true;
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
