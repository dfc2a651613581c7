import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Logger } from '@flock/kit';
import type { ComponentContext } from '../components/context.js';
import { redisOptions } from '../components/redis-options.js';
import type { BrokerMessage, MessageHandler, PubSub, SubscribeRequest } from './pubsub.js';

type Entry = [id: string, fields: string[] | null];

/**
 * `pubsub.redis` on Redis Streams, laid out as daprd's: stream key = topic, consumer group =
 * `consumerID` (default the app-id), entry fields `data` (the envelope) and `metadata` (JSON of the
 * publish metadata). Each subscription reads with XREADGROUP under a consumer name of its own and
 * XACKs once the delivery succeeded. A failed delivery (retries exhausted, no dead-letter topic)
 * stays pending; every `redeliverInterval` pending entries idle for `processingTimeout` — of any
 * consumer, including a dead sidecar's — are taken over with XAUTOCLAIM and delivered again.
 * (daprd ≥ 1.17 XACKs failed messages instead; Flock prefers at-least-once.)
 */
export async function createRedisPubSub(ctx: ComponentContext): Promise<PubSub> {
  const md = ctx.metadata;
  const settings: Settings = {
    redeliverIntervalMs: md.durationMs('redeliverInterval', 60_000),
    processingTimeoutMs: md.durationMs('processingTimeout', 15_000),
    queueDepth: md.int('queueDepth', 100),
    concurrency: md.int('concurrency', 10),
    maxLenApprox: md.get('maxLenApprox') ? md.int('maxLenApprox', 0) : undefined,
  };
  if (settings.concurrency < 1)
    throw new Error(`${md.origin}: metadata field "concurrency" must be >= 1`);
  if (settings.queueDepth < 1)
    throw new Error(`${md.origin}: metadata field "queueDepth" must be >= 1`);
  const options = redisOptions(md);
  const publisher = new Redis(options);
  publisher.on('error', (err) => ctx.logger.warn({ err }, 'redis pubsub connection error'));
  try {
    await publisher.ping();
  } catch (err) {
    publisher.disconnect();
    throw new Error(`${md.origin}: cannot reach Redis: ${(err as Error).message}`);
  }
  return new RedisStreamsPubSub(publisher, () => new Redis(options), settings, ctx.logger);
}

interface Settings {
  redeliverIntervalMs: number;
  processingTimeoutMs: number;
  queueDepth: number;
  concurrency: number;
  maxLenApprox: number | undefined;
}

class RedisStreamsPubSub implements PubSub {
  readonly features = [] as const;
  private readonly subscriptions = new Set<StreamSubscription>();

  constructor(
    private readonly redis: Redis,
    private readonly connect: () => Redis,
    private readonly settings: Settings,
    private readonly logger: Logger,
  ) {}

  async publish(msg: BrokerMessage): Promise<void> {
    const trim =
      this.settings.maxLenApprox !== undefined ? ['MAXLEN', '~', this.settings.maxLenApprox] : [];
    await this.redis.call(
      'XADD',
      msg.topic,
      ...trim,
      '*',
      'data',
      msg.data,
      'metadata',
      JSON.stringify(msg.metadata),
    );
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<() => Promise<void>> {
    await ensureGroup(this.redis, req.topic, req.consumerId);
    const sub = new StreamSubscription(
      this.connect(),
      this.redis,
      req,
      handler,
      this.settings,
      this.logger.child({ topic: req.topic }),
    );
    this.subscriptions.add(sub);
    sub.start();
    return async () => {
      this.subscriptions.delete(sub);
      await sub.stop();
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

async function ensureGroup(redis: Redis, topic: string, group: string): Promise<void> {
  try {
    await redis.call('XGROUP', 'CREATE', topic, group, '0', 'MKSTREAM');
  } catch (err) {
    if (!(err as Error).message.includes('BUSYGROUP')) throw err;
  }
}

class StreamSubscription {
  private readonly consumer = `${randomUUID()}`;
  private stopping = false;
  private readonly inFlight = new Set<Promise<void>>();
  private loops: Promise<unknown> | undefined;
  private readonly abort = new AbortController();

  constructor(
    /** A connection of its own: XREADGROUP BLOCK holds it. */
    private readonly reader: Redis,
    private readonly redis: Redis,
    private readonly req: SubscribeRequest,
    private readonly handler: MessageHandler,
    private readonly settings: Settings,
    private readonly logger: Logger,
  ) {
    reader.on('error', () => undefined); // logged by the publisher connection
  }

  start(): void {
    this.loops = Promise.all([this.readLoop(), this.reclaimLoop()]);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.reader.disconnect();
    await this.loops?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
  }

  private async readLoop(): Promise<void> {
    const { topic, consumerId } = this.req;
    while (!this.stopping) {
      try {
        await this.waitForSlot();
        const res = await this.reader.call(
          'XREADGROUP',
          'GROUP',
          consumerId,
          this.consumer,
          'COUNT',
          this.settings.queueDepth,
          'BLOCK',
          1000,
          'STREAMS',
          topic,
          '>',
        );
        for (const e of streamEntries(res)) await this.dispatch(e);
      } catch (err) {
        if (this.stopping) return;
        const message = (err as Error).message;
        // A Redis restarted without persistence lost the group: recreate it and go on.
        if (message.includes('NOGROUP'))
          await ensureGroup(this.redis, topic, consumerId).catch(() => undefined);
        else this.logger.warn({ err: message }, 'redis streams read failed; retrying');
        await sleep(200);
      }
    }
  }

  /** XAUTOCLAIM pending entries idle longer than processingTimeout (any consumer's). */
  private async reclaimLoop(): Promise<void> {
    const { redeliverIntervalMs, processingTimeoutMs } = this.settings;
    if (redeliverIntervalMs <= 0 || processingTimeoutMs <= 0) return;
    while (!this.stopping) {
      try {
        await sleep(redeliverIntervalMs, undefined, { signal: this.abort.signal });
      } catch {
        return;
      }
      try {
        let cursor = '0-0';
        do {
          const [next, entries] = (await this.redis.call(
            'XAUTOCLAIM',
            this.req.topic,
            this.req.consumerId,
            this.consumer,
            processingTimeoutMs,
            cursor,
            'COUNT',
            this.settings.queueDepth,
          )) as [string, Entry[]];
          cursor = next;
          for (const e of entries) {
            // Claimed by us; skip ids this process is still working on.
            await this.dispatch(e);
          }
        } while (cursor !== '0-0' && !this.stopping);
      } catch (err) {
        if (!this.stopping)
          this.logger.warn({ err: (err as Error).message }, 'redis streams reclaim failed');
      }
    }
  }

  private readonly working = new Set<string>();

  private async dispatch([id, fields]: Entry): Promise<void> {
    if (this.working.has(id)) return;
    if (!fields) {
      // Trimmed away while pending: nothing to deliver any more.
      await this.redis.call('XACK', this.req.topic, this.req.consumerId, id);
      return;
    }
    await this.waitForSlot();
    const msg = toMessage(this.req.topic, fields);
    this.working.add(id);
    const task = this.handler(msg)
      .then(() => this.redis.call('XACK', this.req.topic, this.req.consumerId, id))
      .then(
        () => undefined,
        (err: unknown) =>
          this.logger.warn(
            { err: (err as Error).message, id },
            'delivery failed; the entry stays pending and is redelivered after processingTimeout',
          ),
      )
      .finally(() => {
        this.working.delete(id);
        this.inFlight.delete(task);
      });
    this.inFlight.add(task);
  }

  private async waitForSlot(): Promise<void> {
    while (this.inFlight.size >= this.settings.concurrency) await Promise.race([...this.inFlight]);
  }
}

function toMessage(topic: string, fields: string[]): BrokerMessage {
  let data = '';
  let metadata: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'data') data = fields[i + 1] as string;
    else if (fields[i] === 'metadata') {
      try {
        metadata = JSON.parse(fields[i + 1] as string) as Record<string, string>;
      } catch {
        metadata = {};
      }
    }
  }
  return { topic, data: Buffer.from(data), metadata };
}

/** XREADGROUP's reply: RESP2 `[[stream, entries]]`, or RESP3's map flattened to `[stream, entries]`. */
function streamEntries(res: unknown): Entry[] {
  if (!Array.isArray(res) || res.length === 0) return [];
  if (typeof res[0] === 'string' || Buffer.isBuffer(res[0])) {
    const out: Entry[] = [];
    for (let i = 1; i < res.length; i += 2) out.push(...(res[i] as Entry[]));
    return out;
  }
  return (res as Array<[string, Entry[]]>).flatMap(([, entries]) => entries);
}
