/**
 * The kit's outbox against daprd's own (`outboxPublishPubsub`), both on one real daprd with
 * `state.postgresql` v1 on the real Postgres and `pubsub.redis`: sequential writes of one key and
 * one event each, the two kinds interleaved, timing for each write how long the write call takes
 * and how long until its event reaches the subscriber. The figures behind the decision in
 * docs/architecture.md ("Events"). Needs daprd (bash scripts/dapr/build-daprd.sh).
 *   node load-tests/dist/bench/outbox.js [--writes 400] [--pg postgres://postgres@127.0.0.1:5432/test]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  Dapr,
  Outbox,
  baseConfigSchema,
  createLogger,
  loadConfig,
  type DomainEvent,
} from '@flock/kit';
import { findDaprd, startDaprd } from '@flock/runner';
import { componentYaml } from '@flock/sidecar';
import { out } from './print.js';
import { ms, summarize, timed } from './stats.js';

const { values } = parseArgs({
  options: {
    writes: { type: 'string', default: '400' },
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const writes = Number(values.writes);
const run = randomBytes(3).toString('hex');
const topics = { kit: `bench-kit-${run}`, daprd: `bench-daprd-${run}` };
const tables = [`bench_kit_${run}`, `bench_daprd_${run}`];
const logger = createLogger('outbox-bench', 'warn');

const store = (name: string, table: string, extra: Record<string, string> = {}) =>
  componentYaml(
    name,
    'state.postgresql',
    {
      connectionString: values.pg,
      tableName: table,
      metadataTableName: `${table}_metadata`,
      ...extra,
    },
    'v1',
  );

/** When each write's event reached the app, by write number. */
const arrived = new Map<string, number>();
const waiting = new Map<string, () => void>();
const arrival = (id: string) =>
  arrived.has(id) ? Promise.resolve() : new Promise<void>((r) => waiting.set(id, r));

const app = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/dapr/subscribe') {
      res.end(
        JSON.stringify([
          { pubsubname: 'pubsub', topic: topics.kit, route: '/kit' },
          { pubsubname: 'pubsub', topic: topics.daprd, route: '/daprd' },
        ]),
      );
      return;
    }
    if (req.url !== '/kit' && req.url !== '/daprd') {
      res.statusCode = 404; // daprd also asks for /dapr/config
      res.end('{}');
      return;
    }
    // The kit's event carries { write }. daprd's outbox publishes the upserted value, and a JSON
    // object value arrives as Go prints a map: "map[write:daprd-7]".
    const data = (JSON.parse(body) as { data: { write: string } | string }).data;
    const write = typeof data === 'string' ? /write:([^\] ]+)/.exec(data)![1]! : data.write;
    arrived.set(write, performance.now());
    waiting.get(write)?.();
    res.end(JSON.stringify({ status: 'SUCCESS' }));
  });
});
await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
const appPort = (app.address() as AddressInfo).port;

const binary = findDaprd();
if (!binary) throw new Error('no daprd installed: bash scripts/dapr/build-daprd.sh');
const dir = await mkdtemp(path.join(tmpdir(), 'flock-outbox-bench-'));
await writeFile(
  path.join(dir, 'components.yaml'),
  [
    store('kit-store', tables[0]!),
    store('outbox-store', tables[1]!, {
      outboxPublishPubsub: 'pubsub',
      outboxPublishTopic: topics.daprd,
    }),
    componentYaml('pubsub', 'pubsub.redis', { redisHost: '127.0.0.1:6379' }),
  ].join('---\n'),
);
const daprd = await startDaprd({
  daprd: binary,
  appId: `outbox-bench-${run}`,
  appPort,
  httpPort: 0,
  resourcesPath: dir,
  cwd: dir,
  logFile: path.join(dir, 'daprd.log'),
  logger,
});
try {
  await daprd.started;
  await daprd.connectApp();
  const dapr = new Dapr(
    loadConfig(baseConfigSchema, { APP_ID: 'outbox-bench', DAPR_HTTP_PORT: String(daprd.port) }),
    logger,
  );
  const kit = new Outbox(
    dapr.state('kit-store'),
    (event) => dapr.publishTo('pubsub', topics.kit, event.data, event.id),
    logger,
  );
  const daprdStore = dapr.state('outbox-store');
  const kinds = {
    kit: async (write: string) => {
      // The bench's own event: the outbox publishes it as given (no catalog topic needed).
      const event = {
        id: randomUUID(),
        topic: topics.kit,
        data: { write },
      } as unknown as DomainEvent;
      await kit.commit([{ operation: 'upsert', key: write, value: { write } }], [event]);
    },
    daprd: (write: string) =>
      daprdStore.transact([{ operation: 'upsert', key: write, value: { write } }]),
  };
  const samples = {
    kit: { write: [] as number[], seen: [] as number[] },
    daprd: { write: [] as number[], seen: [] as number[] },
  };
  for (let i = -20; i < writes; i++) {
    for (const kind of i % 2 ? (['kit', 'daprd'] as const) : (['daprd', 'kit'] as const)) {
      const write = `${kind}-${i}`;
      const started = performance.now();
      const took = await timed(() => kinds[kind](write));
      await arrival(write);
      if (i < 0) continue; // warm-up
      samples[kind].write.push(took);
      samples[kind].seen.push(arrived.get(write)! - started);
    }
  }
  out(`${writes} sequential writes of each kind, one key and one event per write, interleaved:`);
  const [k, d] = [samples.kit, samples.daprd].map((s) => ({
    write: summarize(s.write),
    seen: summarize(s.seen),
  }));
  out(
    `  kit outbox     write p50 ${ms(k!.write.p50)} p99 ${ms(k!.write.p99)}   event seen p50 ${ms(k!.seen.p50)} p99 ${ms(k!.seen.p99)}`,
  );
  out(
    `  daprd outbox   write p50 ${ms(d!.write.p50)} p99 ${ms(d!.write.p99)}   event seen p50 ${ms(d!.seen.p50)} p99 ${ms(d!.seen.p99)}`,
  );
  out(
    `  daprd ÷ kit    write p50 ×${(d!.write.p50 / k!.write.p50).toFixed(2)}, event seen p50 ×${(d!.seen.p50 / k!.seen.p50).toFixed(2)}`,
  );
} finally {
  await daprd.stop(5_000);
  app.close();
  const db = new pg.Client({ connectionString: values.pg });
  await db.connect();
  for (const table of tables) {
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.query(`DROP TABLE IF EXISTS ${table}_metadata`);
  }
  await db.end();
  const redis = new Redis('redis://127.0.0.1:6379');
  await redis.del(...Object.values(topics), `outbox-bench-${run}${topics.daprd}outbox`);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
}
