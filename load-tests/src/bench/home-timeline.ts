/**
 * Home-timeline read latency for readers following 10, 100 and 1,000 accounts, in one run on one
 * platform: the reads must cost O(page), not O(followees). A gateway health check is the
 * baseline (the cost of the HTTP hop alone). `npm run bench` runs the same measurement on the
 * Reed98 graph.
 * Run after `npm run build`:
 *   node load-tests/dist/bench/home-timeline.js [--profile embedded] [--followees 10,100,1000]
 */
import { parseArgs } from 'node:util';
import { ms } from './stats.js';
import { ApiClient, inParallel } from '../api-client.js';
import { followeeScaling } from './followees.js';
import { startFlock } from './flock.js';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'embedded' },
    reads: { type: 'string', default: '1000' },
    followees: { type: 'string', default: '10,100,1000' },
    without: { type: 'string', default: '' },
  },
});
const out = (line: string) => process.stdout.write(`${line}\n`);
const counts = values.followees!.split(',').map(Number);
const flock = await startFlock({
  profile: values.profile!,
  without: values.without!.split(',').filter(Boolean),
});
try {
  const gatewayUrl = flock.platform.gatewayUrl!;
  const api = new ApiClient(gatewayUrl);
  const started = Date.now();
  const posters = await inParallel(
    Array.from({ length: Math.max(...counts) }, (_, i) => `poster_${i}`),
    8,
    (name) => api.signUp(name),
  );
  await inParallel(posters, 8, (p) =>
    api.call('POST', '/posts', p.accessToken, { text: `hello from ${p.user.username}` }),
  );
  const result = await followeeScaling(
    api,
    gatewayUrl,
    posters.map((session) => ({ session, posts: 1 })),
    counts,
    Number(values.reads),
  );
  out(`seeded and measured in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  out(
    `${values.reads} sequential reads of the first page (20 items) of each home timeline, "${flock.platform.profile}" profile:`,
  );
  out(`  gateway /healthz (baseline)   p50 ${ms(result.health.p50)}  p99 ${ms(result.health.p99)}`);
  const first = result.readers[0]!.latency;
  for (const r of result.readers) {
    out(
      `  following ${String(r.followees).padEnd(6)} p50 ${ms(r.latency.p50)}  p99 ${ms(r.latency.p99)}` +
        `  (×${(r.latency.p99 / first.p99).toFixed(2)} p99 vs ${result.readers[0]!.followees})`,
    );
  }
} finally {
  await flock.stop();
}
