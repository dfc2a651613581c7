import { randomBytes } from 'node:crypto';
import { describeIfReachable, eventually } from '@flock/testing';
import { componentYaml } from '../src/index.js';
import {
  describeOnRuntimes,
  removeFolder,
  resourcesFolder,
  startOn,
  type TestSidecar,
} from './support/runtimes.js';
import { reachable, SERVERS } from './support/servers.js';
import { json, TestApp, type Received } from './support/test-app.js';

/**
 * Pub/sub, differential: the same resources folder (component, Resiliency, declarative
 * Subscription) and the same app, on Flock's sidecar and on daprd. What the app receives is
 * asserted as daprd delivers it.
 */
const run = randomBytes(3).toString('hex');

const brokers = [
  {
    type: 'pubsub.in-memory',
    reachable: true,
    what: 'nothing',
    metadata: {} as Record<string, string>,
  },
  {
    type: 'pubsub.redis',
    reachable: reachable.redis,
    what: `Redis at ${SERVERS.redis}`,
    metadata: { redisHost: SERVERS.redis },
  },
];

/** daprd reads a Resiliency only as the first document of its file: it gets a file of its own. */
const RESILIENCY = `
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: { name: delivery }
spec:
  policies:
    retries:
      quick: { policy: constant, duration: 50ms, maxRetries: 3 }
  targets:
    components:
      pubsub:
        inbound: { retry: quick }
`;

/** `pubsub`, which the Resiliency guards, and `unguarded`, the same broker under no policy. */
const resources = (
  type: string,
  metadata: Record<string, string>,
  appId: string,
  topic: (name: string) => string,
) => `${componentYaml('pubsub', type, metadata)}---
${componentYaml('unguarded', type, metadata)}---
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: { name: declared }
spec:
  pubsubname: pubsub
  topic: ${topic('declared')}
  routes: { default: /declared }
scopes: [${appId}]
---
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: { name: not-mine }
spec:
  pubsubname: pubsub
  topic: ${topic('declared')}
  routes: { default: /not-mine }
scopes: [someone-else]
`;

/** The app's own subscriptions, as GET /dapr/subscribe answers them. */
const programmatic = (topic: (name: string) => string) => [
  {
    pubsubname: 'pubsub',
    topic: topic('orders'),
    route: '/orders',
    deadLetterTopic: topic('orders-dead'),
  },
  { pubsubname: 'pubsub', topic: topic('orders-dead'), route: '/dead' },
  {
    pubsubname: 'unguarded',
    topic: topic('bare'),
    route: '/bare',
    deadLetterTopic: topic('bare-dead'),
  },
  { pubsubname: 'unguarded', topic: topic('bare-dead'), route: '/bare-dead' },
  {
    pubsubname: 'pubsub',
    topic: topic('routed'),
    routes: {
      rules: [
        { match: 'event.type == "widget.made"', path: '/widgets' },
        { match: 'event.data.size > 10', path: '/big' },
      ],
      default: '/other',
    },
  },
  { pubsubname: 'pubsub', topic: topic('raw'), route: '/raw', metadata: { rawPayload: 'true' } },
  { pubsubname: 'pubsub', topic: topic('gone'), route: '/gone' },
  {
    pubsubname: 'pubsub',
    topic: topic('bulk'),
    route: '/bulk',
    bulkSubscribe: { enabled: true, maxMessagesCount: 3, maxAwaitDurationMs: 300 },
  },
];

interface BulkEntry {
  entryId: string;
  event: { data: { n: number } };
}
const bulkEntries = (r: Received) => (JSON.parse(r.body) as { entries: BulkEntry[] }).entries;

const event = (r: Received) => JSON.parse(r.body) as Record<string, unknown>;
const dataOf = (calls: Received[]) => calls.map((r) => event(r).data);

for (const broker of brokers) {
  describeIfReachable(broker.reachable, broker.what)(`through ${broker.type}`, () => {
    describeOnRuntimes('pub/sub', (runtime) => {
      const appId = `pubsub-${runtime}-${run}`;
      // Brokers keep messages, and a new consumer group reads a stream from its start (daprd's
      // Redis too): topics of each runtime's own.
      const topic = (name: string) => `${name}-${runtime}-${run}`;
      let folder: string;
      let sidecar: TestSidecar;
      /** How many times entry `n` has reached the bulk route. */
      const bulkSeen = (n: number) =>
        app
          .calls('POST', '/bulk')
          .flatMap(bulkEntries)
          .filter((e) => e.event.data.n === n).length;
      const app: TestApp = new TestApp({
        'GET /dapr/subscribe': () => json(programmatic(topic)),
        'POST /orders': (r) => {
          const data = event(r).data as { n: number; answer?: string };
          const tries = app.calls('POST', '/orders').filter((c) => event(c).id === event(r).id);
          if (data.answer === 'retry-once' && tries.length === 1) return json({ status: 'RETRY' });
          if (data.answer === 'drop') return json({ status: 'DROP' });
          return json({ status: 'SUCCESS' });
        },
        'POST /dead': () => json({ status: 'SUCCESS' }),
        'POST /bare': () => json({ status: 'RETRY' }),
        'POST /bare-dead': () => json({ status: 'SUCCESS' }),
        'POST /widgets': () => json({}),
        'POST /big': () => json({}),
        'POST /other': () => json({}),
        'POST /raw': () => ({ status: 200 }),
        'POST /declared': () => json({}),
        'POST /not-mine': () => json({}),
        'POST /bulk': (r) => {
          const body = JSON.parse(r.body) as { entries: BulkEntry[] };
          return json({
            statuses: body.entries.map((e) => ({
              entryId: e.entryId,
              // n = 2 asks for a retry the first time it comes
              status: e.event.data.n === 2 && bulkSeen(2) === 1 ? 'RETRY' : 'SUCCESS',
            })),
          });
        },
      });

      beforeAll(async () => {
        await app.start();
        folder = await resourcesFolder(resources(broker.type, broker.metadata, appId, topic), {
          'resiliency.yaml': RESILIENCY,
        });
        sidecar = await startOn(runtime, { appId, resources: folder, app: { port: app.port } });
        await sidecar.connectApp();
      }, 90_000);
      afterAll(async () => {
        await sidecar?.stop();
        await app.stop();
        if (folder) await removeFolder(folder);
      });

      const publish = (
        name: string,
        body: unknown,
        query = '',
        contentType = 'application/json',
        pubsubname = 'pubsub',
      ) =>
        fetch(`${sidecar.url}/v1.0/publish/${pubsubname}/${topic(name)}${query}`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
      /** Bulk publish of `{ n }` events, one entry each (entry ids `<prefix><n>`). */
      const publishBulk = (name: string, prefix: string, ns: number[]) =>
        fetch(`${sidecar.url}/v1.0-alpha1/publish/bulk/pubsub/${topic(name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(
            ns.map((n) => ({
              entryId: `${prefix}${n}`,
              event: { n },
              contentType: 'application/json',
            })),
          ),
        });

      it('when JSON is published, the app gets the CloudEvent daprd builds around it', async () => {
        expect((await publish('orders', { n: 1 })).status).toBe(204);
        const [delivered] = await eventually(() => {
          const calls = app.calls('POST', '/orders').filter((r) => event(r).data !== undefined);
          return calls.some((r) => (event(r).data as { n: number }).n === 1) ? calls : undefined;
        });
        expect(event(delivered!)).toMatchObject({
          data: { n: 1 },
          datacontenttype: 'application/json',
          pubsubname: 'pubsub',
          source: appId,
          specversion: '1.0',
          topic: topic('orders'),
          type: 'com.dapr.event.sent',
        });
        expect(delivered!.headers['content-type']).toBe('application/cloudevents+json');
        expect(delivered!.headers.pubsubname).toBe('pubsub');
      });

      it('when the app answers RETRY, the Resiliency policy redelivers until it is taken', async () => {
        expect((await publish('orders', { n: 2, answer: 'retry-once' })).status).toBe(204);
        const tries = await eventually(() => {
          const calls = app
            .calls('POST', '/orders')
            .filter((r) => (event(r).data as { n: number }).n === 2);
          return calls.length >= 2 ? calls : undefined;
        });
        expect(new Set(tries.map((r) => event(r).id)).size).toBe(1);
        expect(dataOf(app.calls('POST', '/dead'))).not.toContainEqual({
          n: 2,
          answer: 'retry-once',
        });
      });

      it('when the app answers DROP, the message goes to the dead-letter topic', async () => {
        expect((await publish('orders', { n: 3, answer: 'drop' })).status).toBe(204);
        await eventually(() =>
          dataOf(app.calls('POST', '/dead')).some((d) => (d as { n?: number }).n === 3)
            ? true
            : undefined,
        );
      });

      it('without a Resiliency policy, a failed delivery goes to the dead-letter topic at once', async () => {
        const sent = await publish('bare', { n: 1 }, '', 'application/json', 'unguarded');
        expect(sent.status).toBe(204);
        await eventually(() => (app.calls('POST', '/bare-dead').length ? true : undefined));
        expect(dataOf(app.calls('POST', '/bare-dead'))).toEqual([{ n: 1 }]);
        expect(app.calls('POST', '/bare')).toHaveLength(1);
      });

      it('routing rules: the first CEL match over the event chooses the route, else the default', async () => {
        const widget = {
          specversion: '1.0',
          id: `w-${run}`,
          source: 'test',
          type: 'widget.made',
          datacontenttype: 'application/json',
          data: { size: 1 },
        };
        expect((await publish('routed', widget, '', 'application/cloudevents+json')).status).toBe(
          204,
        );
        expect((await publish('routed', { size: 20 })).status).toBe(204);
        expect((await publish('routed', { size: 2 })).status).toBe(204);
        await eventually(() =>
          app.calls('POST', '/widgets').length +
            app.calls('POST', '/big').length +
            app.calls('POST', '/other').length >=
          3
            ? true
            : undefined,
        );
        expect(dataOf(app.calls('POST', '/widgets'))).toEqual([{ size: 1 }]);
        expect(dataOf(app.calls('POST', '/big'))).toEqual([{ size: 20 }]);
        expect(dataOf(app.calls('POST', '/other'))).toEqual([{ size: 2 }]);
      });

      it('a raw payload reaches a rawPayload subscription as the bytes published', async () => {
        expect(
          (await publish('raw', 'plain words', '?metadata.rawPayload=true', 'text/plain')).status,
        ).toBe(204);
        const [delivered] = await eventually(() => {
          const calls = app.calls('POST', '/raw');
          return calls.length > 0 ? calls : undefined;
        });
        const received = event(delivered!);
        expect(Buffer.from(received.data_base64 as string, 'base64').toString()).toBe(
          'plain words',
        );
      });

      it('bulk publish delivers every entry', async () => {
        expect((await publishBulk('orders', 'e', [4, 5, 6])).status).toBe(204);
        await eventually(() => {
          const seen = dataOf(app.calls('POST', '/orders')).map((d) => (d as { n: number }).n);
          return [4, 5, 6].every((n) => seen.includes(n)) ? true : undefined;
        });
      });

      it('a declarative Subscription scoped to the app delivers; one scoped elsewhere does not', async () => {
        expect((await publish('declared', { hello: 'declared' })).status).toBe(204);
        await eventually(() => (app.calls('POST', '/declared').length > 0 ? true : undefined));
        expect(dataOf(app.calls('POST', '/declared'))).toEqual([{ hello: 'declared' }]);
        expect(app.calls('POST', '/not-mine')).toEqual([]);
      });

      it("bulk subscribe: entries come in daprd's envelope, each answered on its own", async () => {
        expect((await publishBulk('bulk', 'b', [1, 2, 3])).status).toBe(204);
        await eventually(() =>
          bulkSeen(1) >= 1 && bulkSeen(2) >= 2 && bulkSeen(3) >= 1 ? true : undefined,
        );
        for (const call of app.calls('POST', '/bulk')) {
          expect(call.headers['content-type']).toBe('application/json');
          expect(JSON.parse(call.body)).toMatchObject({
            type: 'com.dapr.event.sent.bulk',
            pubsubname: 'pubsub',
            topic: topic('bulk'),
            metadata: { pubsubName: 'pubsub' },
          });
          for (const entry of bulkEntries(call)) {
            expect(entry).toMatchObject({
              entryId: expect.any(String),
              contentType: 'application/cloudevents+json',
              event: { type: 'com.dapr.event.sent', topic: topic('bulk'), source: appId },
            });
          }
        }
        await new Promise((r) => setTimeout(r, 500));
        expect(bulkSeen(2)).toBe(2); // the retried entry, once more, and nothing else again
        expect(bulkSeen(1)).toBe(1);
      });

      it('when the app answers 404, the message is dropped, not retried', async () => {
        expect((await publish('gone', { n: 7 })).status).toBe(204);
        await eventually(() => (app.calls('POST', '/gone').length > 0 ? true : undefined));
        await new Promise((r) => setTimeout(r, 500)); // the policy's retries would come by now
        expect(app.calls('POST', '/gone')).toHaveLength(1);
      });
    });
  });
}
