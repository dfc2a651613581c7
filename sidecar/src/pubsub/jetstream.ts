import {
  AckPolicy,
  connect,
  DeliverPolicy,
  headers as natsHeaders,
  StorageType,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import type { Logger } from '@flock/kit';
import type { ComponentContext } from '../components/context.js';
import { parseDurationMs } from '../components/metadata.js';
import type { BrokerMessage, MessageHandler, PubSub, SubscribeRequest } from './pubsub.js';

interface Settings {
  streamName: string | undefined;
  durableName: string | undefined;
  deliverPolicy: DeliverPolicy;
  ackWaitMs: number | undefined;
  maxDeliver: number | undefined;
  maxAckPending: number | undefined;
  memoryStorage: boolean;
  replicas: number | undefined;
  parallel: boolean;
  backOffMs: number[];
}

const POLICIES: Record<string, DeliverPolicy> = {
  all: DeliverPolicy.All,
  last: DeliverPolicy.Last,
  new: DeliverPolicy.New,
};

/**
 * `pubsub.jetstream`: subject = topic. The stream is `streamName` (created, or extended to cover
 * the subject, when needed) or, without it, the stream already covering the subject, else a
 * stream created for it. One durable pull consumer per consumerID + topic (or `durableName`),
 * explicit acks; a failed delivery is `nak`ed with a delay (first `backOff` step, else `ackWait`,
 * else immediately) so NATS redelivers it, up to `maxDeliver`.
 */
export async function createJetStreamPubSub(ctx: ComponentContext): Promise<PubSub> {
  const md = ctx.metadata;
  const url = md.required('natsURL');
  const policyName = md.string('deliverPolicy', 'all');
  const deliverPolicy = POLICIES[policyName];
  if (!deliverPolicy)
    throw new Error(
      `${md.origin}: metadata field "deliverPolicy" "${policyName}" is not supported (all, last, new)`,
    );
  const ackPolicy = md.string('ackPolicy', 'explicit');
  if (ackPolicy !== 'explicit')
    throw new Error(`${md.origin}: metadata field "ackPolicy" must be "explicit"`);
  const concurrency = md.string('concurrency', 'single');
  if (!['single', 'parallel'].includes(concurrency))
    throw new Error(`${md.origin}: metadata field "concurrency" must be single or parallel`);
  const backOff = md.get('backOff');
  const settings: Settings = {
    streamName: md.get('streamName'),
    durableName: md.get('durableName'),
    deliverPolicy,
    ackWaitMs: md.get('ackWait') ? md.durationMs('ackWait', 30_000) : undefined,
    maxDeliver: md.get('maxDeliver') ? md.int('maxDeliver', 0) : undefined,
    maxAckPending: md.get('maxAckPending') ? md.int('maxAckPending', 0) : undefined,
    memoryStorage: md.bool('memoryStorage', false),
    replicas: md.get('replicas') ? md.int('replicas', 1) : undefined,
    parallel: concurrency === 'parallel',
    backOffMs: backOff
      ? backOff
          .replace(/[[\]\s]/g, '')
          .split(',')
          .filter(Boolean)
          .map((d) => {
            const ms = parseDurationMs(d);
            if (ms === undefined)
              throw new Error(
                `${md.origin}: metadata field "backOff" has an invalid duration "${d}"`,
              );
            return ms;
          })
      : [],
  };
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: url,
      name: md.string('name', 'dapr.io - pubsub.jetstream'),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      ...(md.get('token') ? { token: md.get('token') } : {}),
    });
  } catch (err) {
    throw new Error(`${md.origin}: cannot reach NATS at ${url}: ${(err as Error).message}`);
  }
  return new JetStreamPubSub(nc, await nc.jetstreamManager(), settings, ctx.logger);
}

class JetStreamPubSub implements PubSub {
  readonly features = [] as const;
  private readonly streams = new Map<string, Promise<string>>();
  private readonly subs = new Set<{ messages: ConsumerMessages; done: Promise<void> }>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly s: Settings,
    private readonly logger: Logger,
  ) {}

  async publish(msg: BrokerMessage): Promise<void> {
    await this.streamFor(msg.topic);
    const h = natsHeaders();
    for (const [k, v] of Object.entries(msg.metadata)) h.set(k, v);
    await this.nc.jetstream().publish(msg.topic, msg.data, { headers: h });
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<() => Promise<void>> {
    const stream = await this.streamFor(req.topic);
    const durable = sanitize(this.s.durableName ?? `${req.consumerId}-${req.topic}`);
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: this.s.deliverPolicy,
      filter_subject: req.topic,
      ...(this.s.ackWaitMs ? { ack_wait: this.s.ackWaitMs * 1e6 } : {}),
      ...(this.s.maxDeliver ? { max_deliver: this.s.maxDeliver } : {}),
      ...(this.s.maxAckPending ? { max_ack_pending: this.s.maxAckPending } : {}),
    };
    try {
      await this.jsm.consumers.info(stream, durable);
    } catch {
      await this.jsm.consumers.add(stream, config);
    }
    const consumer = await this.nc.jetstream().consumers.get(stream, durable);
    const messages = await consumer.consume({ max_messages: this.s.parallel ? 100 : 10 });
    const inFlight = new Set<Promise<void>>();
    const nakDelay = this.s.backOffMs[0] ?? this.s.ackWaitMs ?? 0;
    const done = (async () => {
      for await (const m of messages) {
        const msg: BrokerMessage = { topic: req.topic, data: Buffer.from(m.data), metadata: {} };
        for (const [k, v] of m.headers ?? []) if (v[0] !== undefined) msg.metadata[k] = v[0];
        const task = handler(msg).then(
          () => m.ack(),
          (err: unknown) => {
            if ((err as Error).name === 'AbortError') return; // stopping: redelivered after ackWait
            this.logger.warn({ err: (err as Error).message }, 'delivery failed; nak');
            m.nak(nakDelay);
          },
        );
        if (this.s.parallel) {
          inFlight.add(task);
          void task.finally(() => inFlight.delete(task));
        } else await task;
      }
      await Promise.allSettled([...inFlight]);
    })();
    const entry = { messages, done };
    this.subs.add(entry);
    return async () => {
      this.subs.delete(entry);
      messages.stop();
      await done.catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    for (const s of this.subs) s.messages.stop();
    await Promise.allSettled([...this.subs].map((s) => s.done));
    await this.nc.drain().catch(() => this.nc.close());
  }

  /** The stream holding `subject`: streamName, else the one covering it, else a new one. */
  private streamFor(subject: string): Promise<string> {
    let found = this.streams.get(subject);
    if (!found) {
      found = ensureStream(this.jsm, this.s, subject).catch((err: unknown) => {
        this.streams.delete(subject);
        throw err;
      });
      this.streams.set(subject, found);
    }
    return found;
  }
}

/**
 * The stream holding `subject`: `streamName` (created, or extended to cover it), else the stream
 * already covering it, else a new one named after it. The runner calls this before real daprd
 * starts, since daprd's JetStream component expects its streams to exist.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  s: Pick<Settings, 'streamName' | 'memoryStorage' | 'replicas'>,
  subject: string,
): Promise<string> {
  const storage = s.memoryStorage ? StorageType.Memory : StorageType.File;
  const replicas = s.replicas ? { num_replicas: s.replicas } : {};
  if (s.streamName) {
    const name = s.streamName;
    try {
      const info = await jsm.streams.info(name);
      if (!info.config.subjects?.includes(subject)) {
        const covered = await jsm.streams.find(subject).catch(() => undefined);
        if (covered !== name)
          await jsm.streams.update(name, {
            subjects: [...(info.config.subjects ?? []), subject],
          });
      }
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
      await jsm.streams.add({ name, subjects: [subject], storage, ...replicas });
    }
    return name;
  }
  const existing = await jsm.streams.find(subject).catch(() => undefined);
  if (existing) return existing;
  const name = sanitize(subject);
  await jsm.streams.add({ name, subjects: [subject], storage, ...replicas });
  return name;
}

/** Stream and consumer names may not contain `.`, `*`, `>`, spaces or path separators. */
function sanitize(name: string): string {
  return name.replace(/[.*>\s/\\]/g, '_');
}
