/**
 * Home-timeline read latency for a reader following 10 accounts vs one following 1,000, in one
 * run on one platform: the reads must cost O(page), not O(followees). A gateway health check is
 * the baseline (the cost of the HTTP hop alone).
 * Run after `npm run build`: node load-tests/dist/bench/home-timeline.js [--profile embedded]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '@flock/kit';
import { ms, startPlatform, summarize, timed } from '@flock/sidecar';
import { ApiClient, inParallel, type Session } from '../api-client.js';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'embedded' },
    reads: { type: 'string', default: '1000' },
  },
});
const out = (line: string) => process.stdout.write(`${line}\n`);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dataDir = await mkdtemp(path.join(tmpdir(), 'flock-bench-'));
const platform = await startPlatform({
  runFile: path.join(root, 'dapr.yaml'),
  profile: values.profile!,
  ports: 'ephemeral',
  dataDir,
  env: {
    RATE_LIMIT_USER_PER_MINUTE: '100000000',
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000000',
    LOG_LEVEL: 'warn',
  },
  logger: createLogger('bench', 'warn'),
});
try {
  const api = new ApiClient(platform.gatewayUrl!);
  const started = Date.now();
  const [narrow, wide] = [await api.signUp('reader_10'), await api.signUp('reader_1000')];
  const posters = await inParallel(
    Array.from({ length: 1000 }, (_, i) => `poster_${i}`),
    8,
    (name) => api.signUp(name),
  );
  await inParallel(posters, 8, (p) =>
    api.call('POST', '/posts', p.accessToken, { text: `hello from ${p.user.username}` }),
  );
  const follow = (reader: Session, followees: Session[]) =>
    inParallel(followees, 8, (f) =>
      api.call('POST', `/users/${f.user.id}/follow`, reader.accessToken),
    );
  await follow(narrow, posters.slice(0, 10));
  await follow(wide, posters);
  out(
    `seeded 1,002 users, 1,000 posts, 1,010 follows in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  // Backfill is asynchronous (follow.created → timeline): wait until both timelines are full.
  const firstPage = (reader: Session) =>
    api.call<{ items: unknown[]; nextCursor?: string }>(
      'GET',
      '/timeline/home?limit=20',
      reader.accessToken,
    );
  for (;;) {
    const [a, b] = await Promise.all([firstPage(narrow), firstPage(wide)]);
    if (a.items.length === 10 && b.items.length === 20 && b.nextCursor) break;
    await sleep(500);
  }
  const read = (reader: Session) => () => firstPage(reader);
  const health = () => fetch(`${platform.gatewayUrl}/healthz`).then((r) => r.arrayBuffer());
  for (let i = 0; i < 100; i++) await Promise.all([read(narrow)(), read(wide)(), health()]); // warm up
  const samples = { narrow: [] as number[], wide: [] as number[], health: [] as number[] };
  const reads = Number(values.reads);
  for (let i = 0; i < reads; i++) {
    // Rotate the order so no path always follows the same one.
    const order = [
      async () => samples.narrow.push(await timed(read(narrow))),
      async () => samples.wide.push(await timed(read(wide))),
      async () => samples.health.push(await timed(health)),
    ];
    for (let k = 0; k < order.length; k++) await order[(i + k) % order.length]!();
  }
  const [h, n, w] = [summarize(samples.health), summarize(samples.narrow), summarize(samples.wide)];
  out(
    `${reads} sequential reads of the first page (20 items) of each home timeline, "${platform.profile}" profile:`,
  );
  out(`  gateway /healthz (baseline)   p50 ${ms(h.p50)}  p99 ${ms(h.p99)}`);
  out(`  following 10                  p50 ${ms(n.p50)}  p99 ${ms(n.p99)}`);
  out(`  following 1,000               p50 ${ms(w.p50)}  p99 ${ms(w.p99)}`);
  out(`  1,000 vs 10: p50 ${(w.p50 / n.p50).toFixed(2)}x, p99 ${(w.p99 / n.p99).toFixed(2)}x`);
} finally {
  await platform.stop();
  await rm(dataDir, { recursive: true, force: true });
}
