import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import type { Logger } from '@flock/kit';
import type { ComponentContext } from '../components/context.js';
import type { BrokerMessage, MessageHandler, PubSub, SubscribeRequest } from './pubsub.js';

interface Settings {
  url: string;
  durable: boolean;
  deletedWhenUnused: boolean;
  autoAck: boolean;
  deliveryMode: number;
  requeueInFailure: boolean;
  prefetchCount: number;
  enableDeadLetter: boolean;
  maxLen: number | undefined;
  maxLenBytes: number | undefined;
  exchangeKind: string;
  publisherConfirm: boolean;
  reconnectWaitMs: number;
  ttlInSeconds: number | undefined;
  heartBeatSeconds: number;
  clientName: string | undefined;
}

/**
 * `pubsub.rabbitmq` as daprd lays it out: exchange = topic (`exchangeKind`, default fanout,
 * durable), queue `<consumerID>-<topic>` (durable / auto-delete per `durable` and
 * `deletedWhenUnused`), manual acks, `Nack(requeue = requeueInFailure)` when a delivery fails
 * for good; with `enableDeadLetter` the queue dead-letters to exchange `dlx-<queue>` → queue
 * `dlq-<queue>`. A lost connection (broker restart) is re-established every
 * `reconnectWaitSeconds` and every subscription re-declared; unacked messages come back.
 */
export async function createRabbitMqPubSub(ctx: ComponentContext): Promise<PubSub> {
  const md = ctx.metadata;
  let url = md.get('connectionString');
  if (!url) {
    const host = md.get('hostname');
    if (!host)
      throw new Error(
        `${md.origin}: missing required metadata field "connectionString" (or "hostname")`,
      );
    const user = md.get('username');
    const auth = user
      ? `${encodeURIComponent(user)}:${encodeURIComponent(md.string('password', ''))}@`
      : '';
    url = `${md.string('protocol', 'amqp')}://${auth}${host}`;
  }
  const kinds = ['fanout', 'topic', 'direct', 'headers'];
  const exchangeKind = md.string('exchangeKind', 'fanout');
  if (!kinds.includes(exchangeKind))
    throw new Error(
      `${md.origin}: metadata field "exchangeKind" must be one of ${kinds.join(', ')}, got "${exchangeKind}"`,
    );
  const concurrency = md.string('concurrency', 'parallel');
  if (!['parallel', 'single'].includes(concurrency))
    throw new Error(`${md.origin}: metadata field "concurrency" must be parallel or single`);
  const settings: Settings = {
    url,
    durable: md.bool('durable', false),
    deletedWhenUnused: md.bool('deletedWhenUnused', true),
    autoAck: md.bool('autoAck', false),
    deliveryMode: md.int('deliveryMode', 0),
    requeueInFailure: md.bool('requeueInFailure', false),
    // `single` = one message at a time; parallel with prefetch 0 would be unbounded.
    prefetchCount: concurrency === 'single' ? 1 : md.int('prefetchCount', 0),
    enableDeadLetter: md.bool('enableDeadLetter', false),
    maxLen: md.get('maxLen') ? md.int('maxLen', 0) : undefined,
    maxLenBytes: md.get('maxLenBytes') ? md.int('maxLenBytes', 0) : undefined,
    exchangeKind,
    publisherConfirm: md.bool('publisherConfirm', false),
    reconnectWaitMs: md.durationMs('reconnectWaitSeconds', 3000),
    ttlInSeconds: md.get('ttlInSeconds') ? md.durationMs('ttlInSeconds', 0) / 1000 : undefined,
    heartBeatSeconds: md.durationMs('heartBeat', 10_000) / 1000,
    clientName: md.get('clientName'),
  };
  const pubsub = new RabbitMqPubSub(settings, ctx.logger);
  try {
    await pubsub.connection();
  } catch (err) {
    await pubsub.close();
    throw new Error(`${md.origin}: cannot reach RabbitMQ: ${(err as Error).message}`);
  }
  return pubsub;
}

interface Sub {
  req: SubscribeRequest;
  handler: MessageHandler;
  channel?: amqp.Channel;
  consumerTag?: string;
  inFlight: Set<Promise<void>>;
}

interface Conn {
  model: amqp.ChannelModel;
  publish: amqp.Channel | amqp.ConfirmChannel;
}

class RabbitMqPubSub implements PubSub {
  readonly features = [] as const;
  private current: Promise<Conn> | undefined;
  private readonly subs = new Set<Sub>();
  private readonly exchanges = new Set<string>();
  private closed = false;

  constructor(
    private readonly s: Settings,
    private readonly logger: Logger,
  ) {}

  /** The live connection, (re)connecting on demand. */
  connection(): Promise<Conn> {
    this.current ??= this.open().catch((err: unknown) => {
      this.current = undefined;
      throw err;
    });
    return this.current;
  }

  async publish(msg: BrokerMessage): Promise<void> {
    const conn = await this.connection();
    await this.assertExchange(conn.publish, msg.topic);
    const options: amqp.Options.Publish = {
      contentType: 'text/plain',
      ...(this.s.deliveryMode ? { deliveryMode: this.s.deliveryMode } : {}),
      headers: msg.metadata,
      ...(msg.metadata.ttlInSeconds
        ? { expiration: String(Number(msg.metadata.ttlInSeconds) * 1000) }
        : {}),
    };
    if (this.s.publisherConfirm) {
      await new Promise<void>((resolve, reject) =>
        (conn.publish as amqp.ConfirmChannel).publish(msg.topic, '', msg.data, options, (err) =>
          err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
        ),
      );
    } else conn.publish.publish(msg.topic, '', msg.data, options);
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<() => Promise<void>> {
    const sub: Sub = { req, handler, inFlight: new Set() };
    this.subs.add(sub);
    try {
      await this.consume(await this.connection(), sub);
    } catch (err) {
      this.subs.delete(sub);
      throw err;
    }
    return async () => {
      this.subs.delete(sub);
      await Promise.allSettled([...sub.inFlight]);
      if (sub.channel && sub.consumerTag)
        await sub.channel.cancel(sub.consumerTag).catch(() => undefined);
      await sub.channel?.close().catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.subs].flatMap((s) => [...s.inFlight]));
    const conn = await this.current?.catch(() => undefined);
    await conn?.model.close().catch(() => undefined);
  }

  private async open(): Promise<Conn> {
    const url = new URL(this.s.url);
    url.searchParams.set('heartbeat', String(Math.round(this.s.heartBeatSeconds)));
    const model = await amqp.connect(
      url.toString(),
      this.s.clientName ? { clientProperties: { connection_name: this.s.clientName } } : {},
    );
    model.on('error', (err: Error) =>
      this.logger.warn({ err: err.message }, 'rabbitmq connection error'),
    );
    model.on('close', () => {
      this.current = undefined;
      this.exchanges.clear();
      if (!this.closed) void this.reconnect();
    });
    const publish = this.s.publisherConfirm
      ? await model.createConfirmChannel()
      : await model.createChannel();
    publish.on('error', () => undefined);
    return { model, publish };
  }

  /** After a lost connection: wait `reconnectWaitSeconds`, reconnect, re-declare every consumer. */
  private async reconnect(): Promise<void> {
    for (let attempt = 1; !this.closed; attempt++) {
      await sleep(this.s.reconnectWaitMs);
      if (this.closed) return;
      try {
        const conn = await this.connection();
        for (const sub of this.subs) await this.consume(conn, sub);
        this.logger.info({ attempt }, 'rabbitmq reconnected');
        return;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, attempt }, 'rabbitmq reconnect failed');
        const conn = await this.current?.catch(() => undefined);
        // A half-set-up connection closes and triggers its own reconnect loop.
        if (conn) return;
      }
    }
  }

  private async assertExchange(ch: amqp.Channel, topic: string): Promise<void> {
    if (this.exchanges.has(topic)) return;
    await ch.assertExchange(topic, this.s.exchangeKind, { durable: true, autoDelete: false });
    this.exchanges.add(topic);
  }

  private async consume(conn: Conn, sub: Sub): Promise<void> {
    const { topic, consumerId } = sub.req;
    const queue = `${consumerId}-${topic}`;
    const ch = await conn.model.createChannel();
    ch.on('error', () => undefined);
    if (this.s.prefetchCount > 0) await ch.prefetch(this.s.prefetchCount);
    await this.assertExchange(ch, topic);
    const args: Record<string, unknown> = {};
    if (this.s.maxLen !== undefined) args['x-max-length'] = this.s.maxLen;
    if (this.s.maxLenBytes !== undefined) args['x-max-length-bytes'] = this.s.maxLenBytes;
    if (this.s.ttlInSeconds !== undefined) args['x-message-ttl'] = this.s.ttlInSeconds * 1000;
    if (this.s.enableDeadLetter) {
      const dlx = `dlx-${queue}`;
      await ch.assertExchange(dlx, 'fanout', { durable: true, autoDelete: false });
      await ch.assertQueue(`dlq-${queue}`, { durable: true, autoDelete: false });
      await ch.bindQueue(`dlq-${queue}`, dlx, '');
      args['x-dead-letter-exchange'] = dlx;
    }
    await ch.assertQueue(queue, {
      durable: this.s.durable,
      autoDelete: this.s.deletedWhenUnused,
      arguments: args,
    });
    await ch.bindQueue(queue, topic, '');
    const { consumerTag } = await ch.consume(
      queue,
      (m) => {
        if (!m) return; // cancelled by the broker; the reconnect re-consumes
        const msg: BrokerMessage = {
          topic,
          data: m.content,
          metadata: stringHeaders(m.properties.headers),
        };
        const task = sub
          .handler(msg)
          .then(
            () => {
              if (!this.s.autoAck) ch.ack(m);
            },
            (err: unknown) => {
              // Stopping (aborted backoff): leave it unacked; the channel close requeues it.
              if ((err as Error).name === 'AbortError' || this.closed) return;
              this.logger.warn(
                { err: (err as Error).message, topic },
                this.s.requeueInFailure
                  ? 'delivery failed; requeued'
                  : this.s.enableDeadLetter
                    ? 'delivery failed; dead-lettered by RabbitMQ'
                    : 'delivery failed; dropped',
              );
              if (!this.s.autoAck) ch.nack(m, false, this.s.requeueInFailure);
            },
          )
          .catch(() => undefined) // ack on a channel closed meanwhile: redelivered anyway
          .finally(() => sub.inFlight.delete(task));
        sub.inFlight.add(task);
      },
      { noAck: this.s.autoAck },
    );
    sub.channel = ch;
    sub.consumerTag = consumerTag;
  }
}

function stringHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (typeof v === 'string') out[k] = v;
    else if (Buffer.isBuffer(v)) out[k] = v.toString('utf8');
    else if (v !== undefined && v !== null) out[k] = String(v);
  }
  return out;
}
