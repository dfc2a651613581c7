import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { parseDocument } from 'yaml';
import { parseResiliency } from '../src/resiliency.js';
import {
  reachable,
  restartRabbitMq,
  holdServersDuringSuite,
  restartRedis,
  SERVERS,
  startRabbitMq,
  startRedis,
} from './support/servers.js';
import { startTestSidecar } from './support/sidecars.js';
import { componentYaml, type Sidecar } from '../src/index.js';
import { json, TestApp } from './support/test-app.js';
import { describeIfReachable, eventually } from '@flock/testing';

const MESSAGES = 10_000;
const IN_FLIGHT = 4;
const BATCH = 100;

interface Broker {
  type: string;
  reachable: boolean;
  what: string;
  metadata: Record<string, string>;
  restart(): Promise<void>;
  ensureRunning(): Promise<void>;
  cleanup(topic: string, consumers: string[]): Promise<void>;
}

const brokers: Broker[] = [
  {
    type: 'pubsub.redis',
    reachable: reachable.redis,
    what: `Redis at ${SERVERS.redis}`,
    // Entries left pending by the restart are reclaimed after 1 s.
    metadata: { redisHost: SERVERS.redis, processingTimeout: '1s', redeliverInterval: '500ms' },
    restart: () => restartRedis(1000),
    ensureRunning: startRedis,
    cleanup: async (topic) => {
      const { Redis } = await import('ioredis');
      const redis = new Redis({ host: '127.0.0.1', port: 6379 });
      await redis.del(topic).catch(() => undefined);
      redis.disconnect();
    },
  },
  {
    type: 'pubsub.rabbitmq',
    reachable: reachable.rabbitmq,
    what: `RabbitMQ at ${SERVERS.rabbitmq}`,
    // What a broker restart needs: durable queues, persistent messages, publisher confirms.
    metadata: {
      connectionString: SERVERS.rabbitmq,
      durable: 'true',
      deletedWhenUnused: 'false',
      deliveryMode: '2',
      publisherConfirm: 'true',
      prefetchCount: '100',
      reconnectWaitSeconds: '500ms',
    },
    restart: () => restartRabbitMq(1000),
    ensureRunning: startRabbitMq,
    cleanup: async (topic, consumers) => {
      const conn = await amqp.connect(SERVERS.rabbitmq);
      const ch = await conn.createChannel();
      for (const c of consumers) await ch.deleteQueue(`${c}-${topic}`);
      await ch.deleteExchange(topic);
      await conn.close();
    },
  },
];

for (const broker of brokers) {
  describeIfReachable(broker.reachable, broker.what)(`faults on ${broker.type}`, () => {
    holdServersDuringSuite();
    const PUBSUB = `faults-${randomUUID().slice(0, 8)}`;
    const TOPIC = `stream-${randomUUID().slice(0, 8)}`;
    const yaml = componentYaml(PUBSUB, broker.type, broker.metadata);
    const seen = new Map<string, number>();
    let processed = 0;
    const consumer = new TestApp({
      'GET /dapr/subscribe': () => json([{ pubsubname: PUBSUB, topic: TOPIC, route: '/in' }]),
      'POST /in': (r) => {
        // An idempotent consumer: the CloudEvent id dedupes redeliveries.
        const id = (JSON.parse(r.body) as { id: string }).id;
        const n = seen.get(id) ?? 0;
        if (n === 0) processed++;
        seen.set(id, n + 1);
        return json({ status: 'SUCCESS' });
      },
    });
    // The TestApp records every request; this suite only needs the counts.
    const forget = setInterval(() => (consumer.received.length = 0), 1000);
    let publisher: Sidecar;
    let subscriber: Sidecar;

    beforeAll(async () => {
      await consumer.start();
      publisher = await startTestSidecar(yaml, { appId: 'fault-pub' });
      subscriber = await startTestSidecar(yaml, {
        appId: 'fault-sub',
        app: { host: '127.0.0.1', port: consumer.port },
      });
      await subscriber.connectApp();
    });

    afterAll(async () => {
      clearInterval(forget);
      await broker.ensureRunning();
      await publisher?.stop();
      await subscriber?.stop();
      await consumer.stop();
      await broker.cleanup(TOPIC, ['fault-sub']).catch(() => undefined);
    }, 60_000);

    it(`when the broker restarts while ${MESSAGES} messages are published, then each is delivered at least once and processed exactly once`, async () => {
      let next = 0;
      let failedAttempts = 0;
      // Bulk publish (100 per request) keeps the HTTP cost on the publishing side small; each
      // entry carries a fixed CloudEvent id, so a retried entry is a duplicate, not a new event.
      const publishBatch = async (ids: number[]): Promise<void> => {
        let pending = ids;
        while (pending.length > 0) {
          try {
            const res = await fetch(
              `${publisher.url}/v1.0-alpha1/publish/bulk/${PUBSUB}/${TOPIC}`,
              {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(
                  pending.map((i) => ({
                    entryId: String(i),
                    event: { i },
                    contentType: 'application/json',
                    metadata: { 'cloudevent.id': `m-${i}` },
                  })),
                ),
              },
            );
            const body = (await res.json().catch(() => ({}))) as {
              failedEntries?: Array<{ entryId: string }>;
            };
            if (res.status === 204) return;
            const failed = new Set((body.failedEntries ?? []).map((f) => Number(f.entryId)));
            pending = failed.size > 0 ? pending.filter((i) => failed.has(i)) : pending;
          } catch {
            // the sidecar is busy reconnecting; try again
          }
          failedAttempts++;
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      let restarted: Promise<void> | undefined;
      const worker = async () => {
        while (next < MESSAGES) {
          // The restart starts at 30 %; the last 40 % go out only after it, so publishing spans it.
          if (next >= MESSAGES * 0.3) restarted ??= broker.restart();
          if (next >= MESSAGES * 0.6) await restarted;
          const from = next;
          next = Math.min(MESSAGES, next + BATCH);
          await publishBatch(Array.from({ length: next - from }, (_, k) => from + k));
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      await restarted;
      await eventually(() => (processed >= MESSAGES ? true : undefined), 90_000);
      const missing = Array.from({ length: MESSAGES }, (_, i) => `m-${i}`).filter(
        (id) => !seen.has(id),
      );
      expect(missing).toEqual([]);
      expect(processed).toBe(MESSAGES);
      const redelivered = [...seen.values()].filter((n) => n > 1).length;
      process.stderr.write(
        `${broker.type}: ${MESSAGES} delivered, ${redelivered} redelivered, ${failedAttempts} publish attempts refused during the restart\n`,
      );
    }, 300_000);
  });
}

describeIfReachable(reachable.redis, `Redis at ${SERVERS.redis}`)(
  'Resiliency inbound policy on pubsub.redis',
  () => {
    const PUBSUB = `dlq-${randomUUID().slice(0, 8)}`;
    holdServersDuringSuite();
    const TOPIC = `poison-${randomUUID().slice(0, 8)}`;
    const DEAD = `${TOPIC}-dead`;
    const resiliency = parseResiliency(
      parseDocument(`
kind: Resiliency
metadata: { name: flock }
spec:
  policies:
    retries:
      twice: { policy: constant, duration: 20ms, maxRetries: 2 }
  targets:
    components:
      ${PUBSUB}:
        inbound: { retry: twice }
`).toJS() as Record<string, unknown>,
      'resiliency.yaml',
    );
    const consumer = new TestApp({
      'GET /dapr/subscribe': () =>
        json([
          { pubsubname: PUBSUB, topic: TOPIC, route: '/work', deadLetterTopic: DEAD },
          { pubsubname: PUBSUB, topic: DEAD, route: '/dead' },
        ]),
      'POST /work': () => json({ status: 'RETRY' }),
      'POST /dead': () => json({ status: 'SUCCESS' }),
    });
    let sidecar: Sidecar;

    beforeAll(async () => {
      await consumer.start();
      sidecar = await startTestSidecar(
        componentYaml(PUBSUB, 'pubsub.redis', { redisHost: SERVERS.redis }),
        { appId: 'dlq-app', app: { host: '127.0.0.1', port: consumer.port }, resiliency },
      );
      await sidecar.connectApp();
    });

    afterAll(async () => {
      await sidecar?.stop();
      await consumer.stop();
    });

    it('when a consumer keeps answering RETRY, then it is tried 1 + maxRetries times and ends in the dead-letter topic', async () => {
      const res = await fetch(`${sidecar.url}/v1.0/publish/${PUBSUB}/${TOPIC}`, {
        method: 'POST',
        body: 'poison',
      });
      expect(res.status).toBe(204);
      const [dead] = await eventually(() => {
        const calls = consumer.calls('POST', '/dead');
        return calls.length > 0 ? calls : undefined;
      });
      expect(JSON.parse(dead!.body)).toMatchObject({ data: 'poison', topic: TOPIC });
      expect(consumer.calls('POST', '/work')).toHaveLength(3);
    });
  },
);
