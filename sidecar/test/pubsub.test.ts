import { randomUUID } from 'node:crypto';
import type { DaprClient } from '@dapr/dapr';
import { holdServersDuringSuite, reachable, SERVERS } from './support/servers.js';
import { sdkClient, startTestSidecar } from './support/sidecars.js';
import { componentYaml, type Sidecar } from '../src/index.js';
import { json, TestApp, type Received } from './support/test-app.js';
import { describeIfReachable, eventually } from '@flock/testing';

const APP_TOKEN = 'app-secret-token';
// Bounded, fast delivery retries (Flock's defaults are ~50 s), on every broker.
const RETRIES = {
  deliveryMaxRetries: '3',
  deliveryInitialInterval: '20ms',
  deliveryMaxInterval: '100ms',
};

interface Broker {
  type: string;
  reachable: boolean;
  what: string;
  /** In-order delivery per subscription (the 404 test relies on it). */
  metadata: Record<string, string>;
}

/** The same suite on every broker: topics are unique per run, brokers keep state across runs. */
const brokers: Broker[] = [
  { type: 'pubsub.in-memory', reachable: true, what: 'nothing', metadata: {} },
  {
    type: 'pubsub.redis',
    reachable: reachable.redis,
    what: `Redis at ${SERVERS.redis}`,
    metadata: { redisHost: SERVERS.redis, concurrency: '1', processingTimeout: '0' },
  },
  {
    type: 'pubsub.rabbitmq',
    reachable: reachable.rabbitmq,
    what: `RabbitMQ at ${SERVERS.rabbitmq}`,
    metadata: { connectionString: SERVERS.rabbitmq, concurrency: 'single' },
  },
  {
    type: 'pubsub.jetstream',
    reachable: reachable.nats,
    what: `NATS JetStream at ${SERVERS.nats}`,
    metadata: { natsURL: SERVERS.nats, memoryStorage: 'true' },
  },
  {
    type: 'pubsub.mqtt3',
    reachable: reachable.mqtt,
    what: `an MQTT broker at ${SERVERS.mqtt}`,
    metadata: { url: SERVERS.mqtt, cleanSession: 'true' },
  },
];

for (const broker of brokers) {
  describeIfReachable(broker.reachable, broker.what)(`pub/sub through ${broker.type}`, () => {
    // A broker name and topics of their own, so no other suite or earlier run interferes.
    const PUBSUB = `pubsub-${randomUUID().slice(0, 8)}`;
    const T = `t${randomUUID().slice(0, 8)}-`;
    const t = (topic: string) => `${T}${topic}`;
    const yaml = componentYaml(PUBSUB, broker.type, { ...RETRIES, ...broker.metadata });
    if (['pubsub.redis', 'pubsub.rabbitmq'].includes(broker.type)) holdServersDuringSuite();
    let retryCalls = 0;
    const subscriber = new TestApp({
      'GET /dapr/subscribe': () =>
        json([
          { pubsubname: PUBSUB, topic: t('orders'), route: '/orders' },
          { pubsubname: PUBSUB, topic: t('flaky'), route: '/flaky' },
          { pubsubname: PUBSUB, topic: t('poison'), route: '/poison', deadLetterTopic: t('dead') },
          { pubsubname: PUBSUB, topic: t('broken'), route: '/broken', deadLetterTopic: t('dead') },
          { pubsubname: PUBSUB, topic: t('gone'), route: '/not-served' },
          { pubsubname: PUBSUB, topic: t('dead'), route: '/dead' },
          {
            pubsubname: PUBSUB,
            topic: t('routed'),
            routes: { rules: [{ match: 'event.type == "x"', path: '/cel' }], default: '/default' },
          },
        ]),
      'POST /orders': () => json({ status: 'SUCCESS' }),
      'POST /flaky': () =>
        ++retryCalls <= 2 ? json({ status: 'RETRY' }) : { status: 200, body: '' },
      'POST /poison': () => json({ status: 'DROP' }),
      'POST /broken': () => ({ status: 500, body: 'boom' }),
      'POST /dead': () => ({ status: 200, body: 'ok' }),
      'POST /default': () => ({ status: 204 }),
    });
    const second = new TestApp({
      'GET /dapr/subscribe': () =>
        json([{ pubsubname: PUBSUB, topic: t('orders'), route: '/orders' }]),
      'POST /orders': () => json({ status: 'SUCCESS' }),
    });
    let publisher: Sidecar;
    let subSidecar: Sidecar;
    let secondSidecar: Sidecar;
    let client: DaprClient;

    const publish = (
      topic: string,
      body: string | Buffer,
      headers: Record<string, string> = {},
      query = '',
    ): Promise<Response> =>
      fetch(`${publisher.url}/v1.0/publish/${PUBSUB}/${topic}${query}`, {
        method: 'POST',
        headers,
        body,
      });
    const delivered = (app: TestApp, path: string, n = 1): Promise<Received[]> =>
      eventually(() => {
        const calls = app.calls('POST', path);
        return calls.length >= n ? calls : undefined;
      });
    const eventOf = (r: Received): Record<string, unknown> =>
      JSON.parse(r.body) as Record<string, unknown>;

    beforeAll(async () => {
      await subscriber.start();
      await second.start();
      publisher = await startTestSidecar(yaml, { appId: 'publisher' });
      subSidecar = await startTestSidecar(yaml, {
        appId: 'subscriber',
        app: { host: '127.0.0.1', port: subscriber.port, appApiToken: APP_TOKEN },
      });
      secondSidecar = await startTestSidecar(yaml, {
        appId: 'second',
        app: { host: '127.0.0.1', port: second.port },
      });
      await subSidecar.connectApp();
      await secondSidecar.connectApp();
      client = sdkClient(publisher);
    });

    afterAll(async () => {
      await client?.stop();
      await Promise.all([publisher?.stop(), subSidecar?.stop(), secondSidecar?.stop()]);
      await subscriber.stop();
      await second.stop();
    });

    it('when the app is connected, then the subscriptions were read with the app-id header and appear in the metadata API', async () => {
      const discovery = subscriber.calls('GET', '/dapr/subscribe')[0] as Received;
      expect(discovery.headers['dapr-app-id']).toBe('subscriber');
      expect(discovery.headers['dapr-api-token']).toBe(APP_TOKEN);
      expect(subscriber.calls('GET', '/dapr/config')).toHaveLength(1);
      const meta = (await (await fetch(`${subSidecar.url}/v1.0/metadata`)).json()) as Record<
        string,
        unknown
      >;
      expect(meta.id).toBe('subscriber');
      expect(meta.components).toEqual([{ name: PUBSUB, type: broker.type, version: 'v1' }]);
      expect(meta.subscriptions).toEqual(
        expect.arrayContaining([
          {
            pubsubname: PUBSUB,
            topic: t('poison'),
            rules: [{ match: '', path: '/poison' }],
            deadLetterTopic: t('dead'),
            type: 'PROGRAMMATIC',
          },
        ]),
      );
      expect((await fetch(`${subSidecar.url}/v1.0/healthz`)).status).toBe(204);
    });

    it('when JSON is published, then every subscribing app gets the CloudEvent envelope Dapr builds', async () => {
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const res = await publish(t('orders'), JSON.stringify({ orderId: 7 }), {
        'content-type': 'application/json',
        traceparent,
      });
      expect(res.status).toBe(204);
      const [call] = await delivered(subscriber, '/orders');
      await delivered(second, '/orders');
      expect(call?.headers['content-type']).toBe('application/cloudevents+json');
      expect(call?.headers.pubsubname).toBe(PUBSUB);
      expect(call?.headers.traceparent).toBe(traceparent);
      expect(call?.headers['dapr-api-token']).toBe(APP_TOKEN);
      expect(eventOf(call as Received)).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        source: 'publisher',
        type: 'com.dapr.event.sent',
        specversion: '1.0',
        datacontenttype: 'application/json',
        data: { orderId: 7 },
        topic: t('orders'),
        pubsubname: PUBSUB,
        traceid: traceparent,
        traceparent,
        tracestate: '',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      });
    });

    it('when text, bytes or a CloudEvent are published, then data, data_base64 and the caller envelope are kept', async () => {
      const before = subscriber.calls('POST', '/orders').length;
      await publish(t('orders'), 'plain words');
      await publish(t('orders'), Buffer.from([1, 2, 3]), {
        'content-type': 'application/octet-stream',
      });
      const ce = await publish(
        t('orders'),
        JSON.stringify({
          id: 'my-id',
          source: 'me',
          specversion: '1.0',
          type: 'custom',
          topic: 'wrong',
          data: 'x',
        }),
        {
          'content-type': 'application/cloudevents+json',
        },
      );
      expect([ce.status, await ce.text()]).toEqual([204, '']);
      const events = (await delivered(subscriber, '/orders', before + 3))
        .slice(before)
        .map(eventOf);
      expect(events[0]).toMatchObject({
        datacontenttype: 'text/plain;charset=UTF-8',
        data: 'plain words',
      });
      expect(events[1]).toMatchObject({
        datacontenttype: 'application/octet-stream',
        data_base64: 'AQID',
      });
      expect(events[1]).not.toHaveProperty('data');
      expect(events[2]).toMatchObject({
        id: 'my-id',
        source: 'me',
        type: 'custom',
        topic: t('orders'),
        pubsubname: PUBSUB,
        data: 'x',
      });
      expect(events[2]?.time).toEqual(expect.any(String));
    });

    it('when the SDK publishes single and bulk messages, then each is delivered', async () => {
      const before = subscriber.calls('POST', '/orders').length;
      expect(await client.pubsub.publish(PUBSUB, t('orders'), { via: 'sdk' })).toEqual({});
      const bulk = await client.pubsub.publishBulk(PUBSUB, t('orders'), [{ n: 1 }, { n: 2 }]);
      expect(bulk.failedMessages).toEqual([]);
      const datas = (await delivered(subscriber, '/orders', before + 3))
        .slice(before)
        .map((r) => eventOf(r).data);
      expect(datas).toEqual(expect.arrayContaining([{ via: 'sdk' }, { n: 1 }, { n: 2 }]));
    });

    it('when the app answers RETRY, then the message is redelivered until it is acknowledged', async () => {
      await publish(t('flaky'), 'again');
      const calls = await delivered(subscriber, '/flaky', 3);
      expect(calls.map((c) => eventOf(c).id)).toEqual(
        Array(3).fill(eventOf(calls[0] as Received).id),
      );
    });

    it('when the app answers DROP, then the message goes to the dead-letter topic', async () => {
      await publish(t('poison'), 'bad payload');
      const dead = await eventually(() =>
        subscriber.calls('POST', '/dead').find((c) => eventOf(c).data === 'bad payload'),
      );
      expect(eventOf(dead)).toMatchObject({ topic: t('poison') });
      expect(subscriber.calls('POST', '/poison')).toHaveLength(1);
    });

    it('when the app fails a subscription with a dead-letter topic and no policy, then it is dead-lettered at once (as daprd)', async () => {
      await publish(t('broken'), 'never works');
      await eventually(() =>
        subscriber.calls('POST', '/dead').find((c) => eventOf(c).data === 'never works'),
      );
      expect(subscriber.calls('POST', '/broken')).toHaveLength(1); // deliveryMaxRetries is not used
    });

    it('when the app answers 404, then the message is dropped without a retry', async () => {
      await publish(t('gone'), 'first');
      await delivered(subscriber, '/not-served', 1);
      await publish(t('gone'), 'second');
      // One delivery at a time per subscription: had "first" been retried, it would come before "second".
      const calls = await delivered(subscriber, '/not-served', 2);
      expect(calls.map((c) => eventOf(c).data)).toEqual(['first', 'second']);
    });

    it('when no CEL rule of a subscription matches, then events go to the default route', async () => {
      await publish(t('routed'), 'to default');
      const [call] = await delivered(subscriber, '/default');
      expect(eventOf(call as Received).data).toBe('to default');
      expect(subscriber.calls('POST', '/cel')).toHaveLength(0);
    });

    it('when publishing to an unknown pubsub or with a bad rawPayload flag, then the API answers with the Dapr error', async () => {
      const missing = await fetch(`${publisher.url}/v1.0/publish/nope/${t('orders')}`, {
        method: 'POST',
        body: 'x',
      });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ errorCode: 'ERR_PUBSUB_NOT_FOUND' });
      const badFlag = await publish(t('orders'), 'x', {}, '?metadata.rawPayload=maybe');
      expect(badFlag.status).toBe(400);
      expect(await badFlag.json()).toMatchObject({ errorCode: 'ERR_PUBSUB_REQUEST_METADATA' });
    });
  });
}
