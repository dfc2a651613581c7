import amqp from 'amqplib';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { connect as connectNats } from 'nats';
import { plainValue as value, type ComponentDefinition } from '@flock/sidecar';
import { FLOCK_TOPICS } from '@flock/runner';

/**
 * Test isolation on the local profiles, whose servers outlive every run: a database of the run's
 * own, and brokers and Redis cleared of what an earlier run left (a message nobody consumed
 * would reach this run's consumers). Runs on one profile therefore go one at a time (CI's daprd
 * matrix runs its suites in band); runs on different profiles touch different keys and queues.
 */
/** Clears Flock's keys, streams, queues and sessions from the brokers `components` name. */
export async function purgeBackends(
  components: readonly ComponentDefinition[],
  appIds: readonly string[],
): Promise<void> {
  for (const component of components) {
    switch (component.type) {
      case 'state.redis':
        await withRedis(component, async (redis) => {
          for (const appId of component.scopes.length ? component.scopes : appIds)
            await deleteMatching(redis, `${appId}||*`);
        });
        break;
      case 'pubsub.redis':
        await withRedis(component, (redis) => redis.del(...FLOCK_TOPICS).then(() => undefined));
        break;
      case 'pubsub.rabbitmq':
        await purgeRabbit(value(component, 'connectionString')!, appIds);
        break;
      case 'pubsub.jetstream':
        await purgeJetStream(value(component, 'natsURL')!);
        break;
      case 'pubsub.mqtt3':
        await purgeMqttSessions(value(component, 'url')!, appIds);
        break;
    }
  }
}

async function withRedis(
  component: ComponentDefinition,
  use: (redis: Redis) => Promise<void>,
): Promise<void> {
  const [host, port] = (value(component, 'redisHost') ?? '127.0.0.1:6379').split(':');
  const redis = new Redis({ host: host!, port: Number(port ?? 6379), lazyConnect: true });
  await redis.connect();
  try {
    await use(redis);
  } finally {
    redis.disconnect();
  }
}

async function deleteMatching(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** daprd (and Flock's sidecar) name a subscriber's queue `<consumerID>-<topic>`. */
async function purgeRabbit(url: string, appIds: readonly string[]): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    for (const appId of appIds) {
      for (const topic of FLOCK_TOPICS) {
        // A failed delete closes the channel: one channel per queue.
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        await channel.deleteQueue(`${appId}-${topic}`).catch(() => undefined);
        await channel.close().catch(() => undefined);
      }
    }
  } finally {
    await connection.close();
  }
}

/** Deleting a stream deletes its durable consumers and their backlog. */
async function purgeJetStream(url: string): Promise<void> {
  const nc = await connectNats({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    for (const topic of FLOCK_TOPICS) {
      const stream = await jsm.streams.find(topic).catch(() => undefined);
      if (stream) await jsm.streams.delete(stream).catch(() => undefined);
    }
  } finally {
    await nc.close();
  }
}

/** daprd's MQTT client keeps a persistent session per consumerID: a clean connect ends it. */
async function purgeMqttSessions(url: string, appIds: readonly string[]): Promise<void> {
  for (const clientId of appIds) {
    const client = await mqtt.connectAsync(url, { clientId, clean: true, reconnectPeriod: 0 });
    await client.endAsync();
  }
}
