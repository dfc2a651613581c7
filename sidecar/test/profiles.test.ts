import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '@flock/runner';
import { loadComponents, startSidecar, type Sidecar } from '../src/index.js';
import { loadResiliency } from '../src/resiliency.js';
import { describeIfReachable, eventually, findRealPostgres } from '@flock/testing';
import { holdServersDuringSuite, reachable } from './support/servers.js';
import { json, TestApp } from './support/test-app.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../components');
const realPostgres = await findRealPostgres();

/** Every ready-made profile, loaded from its folder exactly as the runner does. */
const profiles = [
  { name: 'embedded', folder: 'embedded', needs: [true] },
  {
    name: 'postgres-redis',
    folder: 'local/postgres-redis',
    needs: [realPostgres, reachable.redis],
  },
  {
    name: 'postgres-rabbitmq',
    folder: 'local/postgres-rabbitmq',
    needs: [realPostgres, reachable.rabbitmq],
  },
  {
    name: 'postgres-jetstream',
    folder: 'local/postgres-jetstream',
    needs: [realPostgres, reachable.nats],
  },
  { name: 'postgres-mqtt', folder: 'local/postgres-mqtt', needs: [realPostgres, reachable.mqtt] },
];

for (const profile of profiles) {
  describeIfReachable(profile.needs.every(Boolean), `the servers of the ${profile.name} profile`)(
    `the ${profile.name} profile's users-store and pubsub`,
    () => {
      const topic = `profile-check-${randomUUID().slice(0, 8)}`;
      if (/redis|rabbitmq/.test(profile.name)) holdServersDuringSuite();
      const app = new TestApp({
        'GET /dapr/subscribe': () => json([{ pubsubname: 'pubsub', topic, route: '/in' }]),
        'POST /in': () => json({ status: 'SUCCESS' }),
      });
      let dir: string;
      let sidecar: Sidecar;
      let stopDb: (() => Promise<void>) | undefined;
      const key = `check-${randomUUID().slice(0, 8)}`;
      const state = (p = '') => `${sidecar.url}/v1.0/state/users-store${p}`;

      beforeAll(async () => {
        dir = await mkdtemp(path.join(tmpdir(), 'profile-'));
        let postgresUrl = realPostgres ?? '';
        if (profile.name === 'embedded') {
          const db = await startEmbeddedPostgres();
          postgresUrl = db.connectionString;
          stopDb = () => db.stop();
        }
        const secretsFile = path.join(dir, 'secrets.json');
        await writeFile(secretsFile, JSON.stringify({ 'postgres-url': postgresUrl }));
        const folder = path.join(root, profile.folder);
        const components = (await loadComponents(folder)).map((c) => ({
          ...c,
          metadata: c.metadata.map((m) =>
            m.name.toLowerCase() === 'secretsfile' ? { ...m, value: secretsFile } : m,
          ),
        }));
        await app.start();
        sidecar = await startSidecar({
          appId: 'users',
          httpPort: 0,
          components,
          resiliency: await loadResiliency(folder),
          app: { host: '127.0.0.1', port: app.port },
          logLevel: process.env.SIDECAR_LOG ?? 'silent',
        });
        await sidecar.connectApp();
      });

      afterAll(async () => {
        await fetch(state(`/${key}`), { method: 'DELETE' }).catch(() => undefined);
        await sidecar?.stop();
        await app.stop();
        await stopDb?.();
        await rm(dir, { recursive: true, force: true });
      });

      it('when a value is saved, then it reads back with an etag, a stale etag is refused and a failed transaction writes nothing', async () => {
        const save = (body: unknown) =>
          fetch(state(), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        expect((await save([{ key, value: { n: 1 } }])).status).toBe(204);
        const got = await fetch(state(`/${key}`));
        expect(await got.json()).toEqual({ n: 1 });
        const etag = got.headers.get('etag') as string;
        expect((await save([{ key, value: { n: 2 }, etag }])).status).toBe(204);
        expect((await save([{ key, value: { n: 3 }, etag }])).status).toBe(409);
        const tx = await fetch(state('/transaction'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            operations: [
              { operation: 'upsert', request: { key, value: { n: 4 } } },
              { operation: 'upsert', request: { key, value: { n: 5 }, etag } },
            ],
          }),
        });
        expect(tx.status).toBe(500);
        expect(await (await fetch(state(`/${key}`))).json()).toEqual({ n: 2 });
      });

      it('when the users-store is queried, then it answers as daprd state.postgresql v1 (the only Postgres store with query)', async () => {
        const probe = `${key}-query`;
        const saved = await fetch(state(), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([{ key: probe, value: { check: probe } }]),
        });
        expect(saved.status).toBe(204);
        const res = await fetch(`${sidecar.url}/v1.0-alpha1/state/users-store/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ filter: { EQ: { check: probe } } }),
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({
          results: [{ key: probe, data: { check: probe }, etag: expect.stringMatching(/^\d+$/) }],
        });
        await fetch(state(`/${probe}`), { method: 'DELETE' });
      });

      it('when an event is published, then the app gets the CloudEvent', async () => {
        const res = await fetch(`${sidecar.url}/v1.0/publish/pubsub/${topic}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ hello: profile.name }),
        });
        expect(res.status).toBe(204);
        const [call] = await eventually(() => {
          const calls = app.calls('POST', '/in');
          return calls.length > 0 ? calls : undefined;
        });
        expect(JSON.parse(call!.body)).toMatchObject({
          source: 'users',
          topic,
          pubsubname: 'pubsub',
          data: { hello: profile.name },
        });
      });
    },
  );
}
