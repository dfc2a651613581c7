/**
 * Backends compared in one run, each as a ratio to the in-memory baseline measured in the same
 * run: pub/sub publish→delivery latency (p50/p99) and throughput over N messages through two
 * sidecars (publisher → broker → subscriber sidecar → app), and state save/get throughput through
 * the sidecar's HTTP API. Run after `npx tsc -b sidecar`:
 *   node load-tests/dist/bench/backends.js [--messages 10000] [--state-ops 3000]
 * Servers expected on loopback: Postgres 5432 (db test), Redis 6379, RabbitMQ 5672, NATS 4222,
 * Mosquitto 1883. An unreachable backend is reported as skipped.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { componentYaml, parseComponents, startSidecar, type Sidecar } from '@flock/sidecar';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    'state-ops': { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '32' },
  },
});
const MESSAGES = Number(values.messages);
const STATE_OPS = Number(values['state-ops']);
const CONCURRENCY = Number(values.concurrency);
const POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
const out = (line: string) => process.stdout.write(`${line}\n`);

interface Sample {
  p50: number;
  p99: number;
  perSecond: number;
  delivered: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function pool(n: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

async function benchPubSub(type: string, md: Record<string, string>): Promise<Sample> {
  const topic = `bench-${randomUUID().slice(0, 8)}`;
  const sentAt = new Map<string, bigint>();
  const latencies: number[] = [];
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => (done = r));
  const app = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/dapr/subscribe') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify([{ pubsubname: 'bench', topic, route: '/in' }]));
        return;
      }
      if (req.url === '/in') {
        const id = (JSON.parse(Buffer.concat(chunks).toString()) as { data: { id: string } }).data
          .id;
        const t0 = sentAt.get(id);
        if (t0 !== undefined) {
          sentAt.delete(id);
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (latencies.length === MESSAGES) done();
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"SUCCESS"}');
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const components = parseComponents(componentYaml('bench', type, md), 'bench.yaml');
  const publisher = await startSidecar({
    appId: 'bench-pub',
    httpPort: 0,
    components,
    logLevel: 'error',
  });
  const subscriber = await startSidecar({
    appId: 'bench-sub',
    httpPort: 0,
    components,
    logLevel: 'error',
    app: { host: '127.0.0.1', port: (app.address() as AddressInfo).port },
  });
  await subscriber.connectApp();
  try {
    const start = process.hrtime.bigint();
    await pool(MESSAGES, async (i) => {
      const id = `m${i}`;
      sentAt.set(id, process.hrtime.bigint());
      const res = await fetch(`${publisher.url}/v1.0/publish/bench/${topic}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id }),
      });
      await res.arrayBuffer();
      if (res.status !== 204) throw new Error(`publish answered ${res.status}`);
    });
    // Wait for every delivery, or give up after 15 s without progress (a broker dropping messages).
    let seen = -1;
    while (latencies.length < MESSAGES && latencies.length !== seen) {
      seen = latencies.length;
      await Promise.race([all, new Promise((r) => setTimeout(r, 15_000))]);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    latencies.sort((a, b) => a - b);
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      perSecond: latencies.length / seconds,
      delivered: latencies.length,
    };
  } finally {
    await publisher.stop();
    await subscriber.stop();
    app.close();
  }
}

async function benchState(
  type: string,
  md: Record<string, string>,
  version = 'v1',
): Promise<{ save: number; get: number }> {
  const sidecar: Sidecar = await startSidecar({
    appId: 'bench-state',
    httpPort: 0,
    components: parseComponents(componentYaml('store', type, md, version), 'bench.yaml'),
    logLevel: 'error',
  });
  const run = randomUUID().slice(0, 8);
  try {
    const url = `${sidecar.url}/v1.0/state/store`;
    const timed = async (task: (i: number) => Promise<void>): Promise<number> => {
      const start = process.hrtime.bigint();
      await pool(STATE_OPS, task);
      return STATE_OPS / (Number(process.hrtime.bigint() - start) / 1e9);
    };
    const save = await timed(async (i) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ key: `${run}-${i}`, value: { i, text: 'x'.repeat(200) } }]),
      });
      await res.arrayBuffer();
      if (res.status !== 204) throw new Error(`save answered ${res.status}`);
    });
    const get = await timed(async (i) => {
      const res = await fetch(`${url}/${run}-${i}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`get answered ${res.status}`);
    });
    return { save, get };
  } finally {
    await sidecar.stop();
  }
}

async function reachable(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

const redisUp = await reachable(async () => {
  const r = new Redis({
    host: '127.0.0.1',
    port: 6379,
    lazyConnect: true,
    retryStrategy: () => null,
  });
  await r.connect();
  r.disconnect();
});
const pgUp = await reachable(async () => {
  const c = new pg.Client({ connectionString: POSTGRES });
  await c.connect();
  await c.end();
});
const port = (p: number) =>
  reachable(
    () =>
      new Promise<void>((resolve, reject) => {
        void import('node:net').then(({ connect }) => {
          const s = connect(p, '127.0.0.1');
          s.once('connect', () => {
            s.destroy();
            resolve();
          });
          s.once('error', reject);
        });
      }),
  );

const brokers: Array<[string, string, Record<string, string>, boolean]> = [
  ['in-memory (baseline)', 'pubsub.in-memory', {}, true],
  ['redis streams', 'pubsub.redis', { redisHost: '127.0.0.1:6379' }, redisUp],
  [
    'rabbitmq',
    'pubsub.rabbitmq',
    { connectionString: 'amqp://guest:guest@127.0.0.1:5672', prefetchCount: '100' },
    await port(5672),
  ],
  [
    'nats jetstream',
    'pubsub.jetstream',
    { natsURL: 'nats://127.0.0.1:4222', concurrency: 'parallel' },
    await port(4222),
  ],
  ['mqtt (mosquitto)', 'pubsub.mqtt3', { url: 'mqtt://127.0.0.1:1883' }, await port(1883)],
];

const fmt = (n: number, digits = 2) => n.toFixed(digits);
out(
  `# publish→delivery, ${MESSAGES} messages, ${CONCURRENCY} publishers in flight (two sidecars, one app)`,
);
out('| broker | delivered | p50 ms | p99 ms | msg/s | p50 × baseline | msg/s × baseline |');
out('|---|---:|---:|---:|---:|---:|---:|');
let base: Sample | undefined;
for (const [label, type, md, up] of brokers) {
  if (!up) {
    out(`| ${label} | skipped (unreachable) | | | | | |`);
    continue;
  }
  const s = await benchPubSub(type, md);
  base ??= s;
  out(
    `| ${label} | ${s.delivered}/${MESSAGES} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.perSecond, 0)} | ${fmt(s.p50 / base.p50)} | ${fmt(s.perSecond / base.perSecond)} |`,
  );
}

const prefix = `bench_${randomUUID().slice(0, 8)}_`;
const stores: Array<[string, string, Record<string, string>, string, boolean]> = [
  ['in-memory (baseline)', 'state.in-memory', {}, 'v1', true],
  [
    'postgresql v2',
    'state.postgresql',
    { connectionString: POSTGRES, tablePrefix: prefix },
    'v2',
    pgUp,
  ],
  ['redis', 'state.redis', { redisHost: '127.0.0.1:6379', keyPrefix: prefix }, 'v1', redisUp],
];
out('');
out(`# state through the sidecar, ${STATE_OPS} ops each, ${CONCURRENCY} in flight`);
out('| store | save/s | get/s | save × baseline | get × baseline |');
out('|---|---:|---:|---:|---:|');
let stateBase: { save: number; get: number } | undefined;
for (const [label, type, md, version, up] of stores) {
  if (!up) {
    out(`| ${label} | skipped (unreachable) | | | |`);
    continue;
  }
  const s = await benchState(type, md, version);
  stateBase ??= s;
  out(
    `| ${label} | ${fmt(s.save, 0)} | ${fmt(s.get, 0)} | ${fmt(s.save / stateBase.save)} | ${fmt(s.get / stateBase.get)} |`,
  );
}
if (pgUp) {
  const c = new pg.Client({ connectionString: POSTGRES });
  await c.connect();
  await c.query(`DROP TABLE IF EXISTS ${prefix}state`);
  await c.end();
}
if (redisUp) {
  const r = new Redis({ host: '127.0.0.1', port: 6379 });
  const keys = await r.keys(`${prefix}||*`);
  for (let i = 0; i < keys.length; i += 500) await r.del(...keys.slice(i, i + 500));
  r.disconnect();
}
process.exit(0);
