import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '@flock/kit';
import type { ComponentContext } from '../components/context.js';
import type { BrokerMessage, MessageHandler, PubSub, SubscribeRequest } from './pubsub.js';

/**
 * `pubsub.mqtt3` (MQTT 3.1.1): `url` (required), `qos` (default 1), `retain` (false),
 * `cleanSession` (false), `consumerID` (default the app-id). Two connections, as daprd:
 * `<consumerID>-producer` and `<consumerID>-consumer`; the consumer's client id is stable and its
 * session persistent, so messages published while the sidecar is away are kept by the broker
 * (QoS 1). Replicas of one app share the load through the shared subscription
 * `$share/<consumerID>/<topic>` (Mosquitto ≥ 1.6 supports it for 3.1.1 clients). MQTT 3.1.1 has
 * no message properties: publish metadata is not carried. A delivery is PUBACKed only once
 * handled; a failed delivery is dropped after the sidecar's retries (MQTT 3 has no nack).
 */
export async function createMqttPubSub(ctx: ComponentContext): Promise<PubSub> {
  const md = ctx.metadata;
  const url = md.required('url');
  const qos = md.int('qos', 1);
  if (![0, 1, 2].includes(qos))
    throw new Error(`${md.origin}: metadata field "qos" must be 0, 1 or 2, got ${qos}`);
  const retain = md.bool('retain', false);
  const clean = md.bool('cleanSession', false);
  const consumerId = md.string('consumerID', ctx.appId);
  const options = (suffix: string): mqtt.IClientOptions => ({
    clientId: `${consumerId}-${suffix}`,
    clean,
    protocolVersion: 4,
    reconnectPeriod: 500,
    connectTimeout: 5000,
  });
  type Handled = (topic: string, message: Buffer) => Promise<void>;
  const handlers = new Map<string, MessageHandler>();
  const onMessage: Handled = async (topic, message) => {
    // A persistent session may redeliver before the sidecar re-subscribed its handlers.
    for (let waited = 0; !handlers.has(topic) && waited < 30_000; waited += 50)
      await new Promise((r) => setTimeout(r, 50));
    const handler = handlers.get(topic);
    if (!handler) return;
    await handler({ topic, data: message, metadata: {} });
  };
  let producer: MqttClient;
  let consumer: MqttClient;
  try {
    producer = await mqtt.connectAsync(url, options('producer'));
    consumer = mqtt.connect(url, options('consumer'));
    // Set before the session resumes: mqtt.js sends the PUBACK once this callback ran, so messages
    // go one at a time and are acked only when handled.
    consumer.handleMessage = (packet, callback) => {
      void onMessage(packet.topic, Buffer.from(packet.payload)).then(
        () => callback(),
        () => callback(),
      );
    };
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        consumer.end(true);
        reject(new Error('connect timed out'));
      }, 5000);
      consumer.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (err) {
    throw new Error(
      `${md.origin}: cannot reach the MQTT broker at ${url}: ${(err as Error).message}`,
    );
  }
  producer.on('error', (err) => ctx.logger.warn({ err: err.message }, 'mqtt producer error'));
  consumer.on('error', (err) => ctx.logger.warn({ err: err.message }, 'mqtt consumer error'));
  return new MqttPubSub(producer, consumer, handlers, qos as 0 | 1 | 2, retain, ctx.logger);
}

class MqttPubSub implements PubSub {
  readonly features = [] as const;

  constructor(
    private readonly producer: MqttClient,
    private readonly consumer: MqttClient,
    private readonly handlers: Map<string, MessageHandler>,
    private readonly qos: 0 | 1 | 2,
    private readonly retain: boolean,
    private readonly logger: Logger,
  ) {}

  async publish(msg: BrokerMessage): Promise<void> {
    await this.producer.publishAsync(msg.topic, msg.data, { qos: this.qos, retain: this.retain });
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<() => Promise<void>> {
    const filter = `$share/${req.consumerId}/${req.topic}`;
    const wrapped: MessageHandler = (msg) =>
      handler(msg).catch((err: unknown) => {
        this.logger.warn({ err: (err as Error).message, topic: req.topic }, 'message dropped');
      });
    this.handlers.set(req.topic, wrapped);
    await this.consumer.subscribeAsync(filter, { qos: this.qos });
    return async () => {
      this.handlers.delete(req.topic);
      // The persistent session keeps the subscription (and queues for it) until unsubscribed
      // explicitly; stopping the sidecar must keep it, so nothing is sent to the broker here.
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.producer.endAsync(), this.consumer.endAsync()]);
  }
}
