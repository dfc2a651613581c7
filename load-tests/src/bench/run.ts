/**
 * `npm run bench`: the whole platform under DeathStarBench's social-network mix, against two
 * baselines measured in the same run on the same data:
 *   - a bare Node `http` server (the machine's ceiling for one Node process and this driver),
 *   - a single-process Express + `pg` monolith serving the same three requests from its own
 *     tables on the real Postgres (loaded with the same seeded graph and posts).
 * Then home-timeline p99 at 10/100/1,000 followees, and fan-out completion for a post by a
 * 10,000-follower account (Zipf graph) against one by the Reed98 graph's most-followed user.
 *
 *   node load-tests/dist/bench/run.js [--profile postgres-redis|embedded] [--runtime sidecar|daprd] [--quick]
 *     [--without search] [--skip baselines,mix,followees,fanout] [--zipf-followers 10000]
 *     [--cpu-prof] [--pg postgres://postgres@127.0.0.1:5432/test] [--svg docs/benchmarks-latency.svg]
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ApiClient, inParallel, type Session } from '../api-client.js';
import {
  degreeStats,
  describeDegrees,
  followerCounts,
  reed98Graph,
  shuffled,
  zipfGraph,
} from '../seed/graph.js';
import { Random } from '../seed/prng.js';
import { retryTransient, seedGraph, type SeededGraph } from '../seed/seeder.js';
import { bareServerFile } from './bare-server.js';
import { topFrames, type CpuProfile } from './cpuprofile.js';
import { drive } from './driver-process.js';
import { defaultProfile, repoRoot, startFlock } from './flock.js';
import { followeeScaling } from './followees.js';
import type { MixTarget, MixUser } from './mix.js';
import { dropMonolith, loadMonolith, monolithFile, startChildServer } from './monolith.js';
import { percentile, type OpenLoopResult } from './open-loop.js';
import { cpuByPid, processesNamed, processTree, usage } from './proc.js';
import { latencyChart } from './plot.js';
import { targetRows, targetTable, type TargetInputs } from './targets.js';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: defaultProfile() },
    runtime: { type: 'string', default: 'sidecar' },
    quick: { type: 'boolean', default: false },
    /** Shrinks the Reed98 graph (users and edges alike); --quick uses 0.25. */
    scale: { type: 'string' },
    without: { type: 'string', default: '' },
    skip: { type: 'string', default: '' },
    'zipf-followers': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    svg: { type: 'string', default: path.join(repoRoot, 'docs/benchmarks-latency.svg') },
    json: { type: 'string', default: path.join(repoRoot, 'load-tests/results/bench.json') },
  },
});
const quick = values.quick!;
const skip = new Set(values.skip!.split(',').filter(Boolean));
const out = (line: string) => process.stdout.write(`${line}\n`);
const runStarted = Date.now();
const clock = () => `[${((Date.now() - runStarted) / 1000).toFixed(0).padStart(4)} s]`;
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');

/** Offered rates (requests/s), each held `stepMs`; a ladder stops at saturation. */
const FLOCK_RATES = quick ? [25, 50, 100, 200, 400] : [25, 50, 75, 100, 150, 200, 300, 400, 600];
const BASE_RATES = quick
  ? [25, 50, 100, 200, 400, 800, 1600, 3200]
  : [25, 50, 100, 200, 400, 800, 1600, 3200, 6400];
const FLOCK_STEP_MS = quick ? 6_000 : 15_000;
const BASE_STEP_MS = quick ? 5_000 : 8_000;
const P99_TARGET_MS = 100;

interface Step {
  rate: number;
  achieved: number;
  failedShare: number;
  p50: number;
  p90: number;
  p99: number;
  byKind: Record<string, { p50: number; p99: number }>;
  /** CPU ms per answered request: the system's own processes, and the database servers. */
  cpuMsPerRequest: number;
  dbCpuMsPerRequest: number;
  rssMiB: number;
  sendLagP99: number;
}

interface Ladder {
  system: string;
  steps: Step[];
}

function summarizeStep(
  result: OpenLoopResult,
  cpuSeconds: number,
  dbCpuSeconds: number,
  rssBytes: number,
): Step {
  const all = Object.values(result.latencies).flat();
  const byKind = Object.fromEntries(
    Object.entries(result.latencies).map(([kind, list]) => [
      kind,
      { p50: percentile(list, 50), p99: percentile(list, 99) },
    ]),
  );
  // Failures count as infinitely slow for the percentiles (they never met any target).
  const padded = [...all, ...new Array<number>(result.failed).fill(Infinity)];
  return {
    rate: result.rate,
    achieved: result.ok / (result.durationMs / 1000),
    failedShare: result.sent ? result.failed / result.sent : 0,
    p50: percentile(padded, 50),
    p90: percentile(padded, 90),
    p99: percentile(padded, 99),
    byKind,
    cpuMsPerRequest: (cpuSeconds * 1000) / Math.max(1, result.ok),
    dbCpuMsPerRequest: (dbCpuSeconds * 1000) / Math.max(1, result.ok),
    rssMiB: rssBytes / 2 ** 20,
    sendLagP99: result.sendLagP99,
  };
}

async function ladder(
  system: string,
  target: MixTarget,
  baseUrl: string,
  rates: number[],
  stepMs: number,
  pids: () => number[],
  dbPids: () => number[],
  users: () => Promise<MixUser[]>,
): Promise<Ladder> {
  const steps: Step[] = [];
  for (const rate of rates) {
    const mixUsers = await users();
    const own = pids();
    const db = dbPids();
    const before = [usage(own), usage(db)];
    const result = await drive({
      baseUrl,
      rate,
      durationMs: stepMs,
      users: mixUsers,
      target,
      seed: rate,
    });
    const after = [usage(own), usage(db)];
    const step = summarizeStep(
      result,
      after[0]!.cpuSeconds - before[0]!.cpuSeconds,
      after[1]!.cpuSeconds - before[1]!.cpuSeconds,
      after[0]!.rssBytes,
    );
    steps.push(step);
    await saveReport();
    const statuses = Object.entries(result.statuses)
      .filter(([s]) => !s.startsWith('2'))
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    out(
      `${clock()} ${system.padEnd(9)} ${String(rate).padStart(5)}/s → ${f1(step.achieved).padStart(7)}/s ok, ` +
        `p50 ${f1(step.p50)} p99 ${f1(step.p99)} ms, failed ${(step.failedShare * 100).toFixed(1)}%, ` +
        `CPU ${f2(step.cpuMsPerRequest)} ms/req (+db ${f2(step.dbCpuMsPerRequest)}), RSS ${f1(step.rssMiB)} MiB` +
        `${step.sendLagP99 > 5 ? `, driver lag p99 ${f1(step.sendLagP99)} ms` : ''}${statuses ? `, ${statuses}` : ''}`,
    );
    const saturated = step.p99 > 2000 || step.failedShare > 0.2 || step.achieved < rate * 0.7;
    if (saturated) break;
    await sleep(1000);
  }
  return { system, steps };
}

/** The highest offered rate whose p99 met the target with under 1% failures. */
function maxRateWithin(l: Ladder | undefined): number {
  let best = NaN;
  for (const s of l?.steps ?? []) {
    if (s.p99 <= P99_TARGET_MS && s.failedShare < 0.01) best = s.rate;
  }
  return best;
}

const graph = reed98Graph(98, 20, Number(values.scale ?? (quick ? 0.25 : 1)));
out(
  `${graph.name} graph (Chung–Lu, seed 98): ${graph.users} users, ${graph.follows.length / 2} edges → ${graph.follows.length} follows, ${graph.posts.reduce((a, b) => a + b, 0)} posts`,
);
out(`  ${describeDegrees('degree', degreeStats(followerCounts(graph)))}`);

const profDir = values['cpu-prof']
  ? await mkdtemp(path.join(tmpdir(), 'flock-cpuprof-'))
  : undefined;
out(
  `${clock()} starting Flock, "${values.profile}" profile on ${values.runtime}${profDir ? ', every app with the SIGUSR2 profiler preloaded' : ''}`,
);
if (values.runtime !== 'sidecar' && values.runtime !== 'daprd')
  throw new Error(`--runtime must be sidecar or daprd, not "${values.runtime}"`);
const flock = await startFlock({
  profile: values.profile!,
  runtime: values.runtime,
  without: values.without!.split(',').filter(Boolean),
  ...(profDir
    ? {
        env: {
          NODE_OPTIONS: `--import=${path.join(repoRoot, 'load-tests/dist/bench/cpu-prof-preload.js')}`,
          CPU_PROF_DIR: profDir,
        },
      }
    : {}),
});
const report: Record<string, unknown> = {
  profile: values.profile,
  runtime: values.runtime,
  quick,
  startedAt: new Date().toISOString(),
};
const ladders: Ladder[] = [];
// Ctrl-C or SIGTERM still stops the platform's processes (they are this process's children).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void flock.stop().finally(() => process.exit(130)));
}
/** Written after every phase, so a run that fails late still leaves its figures. */
const saveReport = async () => {
  await mkdir(path.dirname(values.json!), { recursive: true });
  await writeFile(
    values.json!,
    `${JSON.stringify({ ...report, ladders }, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v), 2)}\n`,
  );
};
const appPids = new Map(flock.platform.apps.map((a) => [a.pid, a.appId]));
await sleep(5000); // settle: start-up work done, nothing asked yet
const idleRssMiB = usage(processTree(process.pid)).rssBytes / 2 ** 20;
out(
  `${clock()} idle RSS of the platform (this process with the sidecars, and every app): ${f1(idleRssMiB)} MiB`,
);
const measured: Partial<TargetInputs> = { idleRssMiB };
const flockCpuByApp = new Map<string, number>();
try {
  const gatewayUrl = flock.platform.gatewayUrl!;
  const api = new ApiClient(gatewayUrl);
  out(`${clock()} seeding through the gateway (16 requests in flight)`);
  // Access tokens live 15 minutes from their login, which happens at the start of seeding.
  let tokensAt = Date.now();
  const seeded = await seedGraph(api, graph, {
    concurrency: 16,
    log: (l) => out(`${clock()} ${l}`),
  });
  const perUser = seeded.timings.usersMs / graph.users;
  out(`  registration + login: ${f1(perUser)} ms per user of wall time (two argon2id hashes each)`);
  report.seeding = { ...seeded.timings, msPerUser: perUser };
  await saveReport();
  const writes = graph.posts.reduce((a, b) => a + b, 0) + graph.follows.length;
  measured.seeding = { writes, ms: seeded.timings.postsMs + seeded.timings.followsMs };
  out(
    `  posts and follows: ${writes} writes in ${f1(measured.seeding.ms / 1000)} s (${f1(writes / (measured.seeding.ms / 1000))}/s)`,
  );
  // What a client needs for one page: the page, plus one request per item if items are ids only.
  const page = await api.call<{ items: Array<{ text?: unknown }> }>(
    'GET',
    '/timeline/home?limit=20',
    seeded.sessions[0]!.accessToken,
  );
  const whole = page.items.every((item) => typeof item.text === 'string');
  measured.requestsPerPage = whole ? 1 : 1 + page.items.length;

  // Access tokens live 15 minutes: refresh them (no password hashing) when they get old.
  const freshUsers = async (): Promise<MixUser[]> => {
    if (Date.now() - tokensAt > 6 * 60_000) {
      seeded.sessions = await inParallel(seeded.sessions, 16, (s) => api.refresh(s));
      tokensAt = Date.now();
    }
    return seeded.sessions.map((s) => ({
      id: s.user.id,
      username: s.user.username,
      token: s.accessToken,
    }));
  };
  const dbNames = values.profile === 'embedded' ? [] : ['postgres', 'redis-server'];

  if (!skip.has('baselines')) {
    const bare = await startChildServer(bareServerFile);
    out(`${clock()} baseline 1: bare Node http server`);
    ladders.push(
      await ladder(
        'bare',
        'bare',
        bare.url,
        BASE_RATES,
        BASE_STEP_MS,
        () => [bare.pid],
        () => [],
        freshUsers,
      ),
    );
    await bare.stop();
    const schema = `bench_monolith_${randomBytes(4).toString('hex')}`;
    try {
      await loadMonolith(values.pg!, schema, seeded);
      const mono = await startChildServer(monolithFile, {
        MONOLITH_PG: values.pg!,
        MONOLITH_SCHEMA: schema,
      });
      out(`${clock()} baseline 2: Express + pg monolith on ${values.pg} (schema ${schema})`);
      try {
        ladders.push(
          await ladder(
            'monolith',
            'monolith',
            mono.url,
            BASE_RATES,
            BASE_STEP_MS,
            () => [mono.pid],
            () => processesNamed(['postgres']),
            freshUsers,
          ),
        );
      } finally {
        await mono.stop();
      }
    } catch (error) {
      out(`  monolith baseline skipped: ${(error as Error).message}`);
    } finally {
      await dropMonolith(values.pg!, schema).catch(() => undefined);
    }
  }

  if (!skip.has('mix')) {
    out(`${clock()} Flock under the DSB mix (60% home, 30% user timeline, 10% compose)`);
    const flockPids = () => processTree(process.pid);
    const cpuBefore = cpuByPid([...appPids.keys()]);
    ladders.push(
      await ladder(
        'flock',
        'flock',
        gatewayUrl,
        FLOCK_RATES,
        FLOCK_STEP_MS,
        flockPids,
        () => processesNamed(dbNames),
        freshUsers,
      ),
    );
    for (const [pid, cpu] of cpuByPid([...appPids.keys()])) {
      flockCpuByApp.set(appPids.get(pid)!, cpu - (cpuBefore.get(pid) ?? 0));
    }
    flockCpuByApp.set('runner (sidecars)', NaN);
    out(
      `  CPU seconds by app during the mix: ${[...flockCpuByApp.entries()]
        .filter(([, s]) => Number.isFinite(s))
        .sort((a, b) => b[1] - a[1])
        .map(([app, s]) => `${app} ${f1(s)}`)
        .join(', ')}`,
    );
    if (profDir) await profilePhase(gatewayUrl, profDir, await freshUsers(), ladders.at(-1)!);
  }

  if (!skip.has('followees')) {
    out(`${clock()} home-timeline reads at 10, 100 and 1,000 followees`);
    await freshUsers();
    const extra = await inParallel(
      Array.from({ length: Math.max(0, 1000 - graph.users) }, (_, i) => `poster_${i}`),
      8,
      (name) => api.signUp(name),
    );
    await inParallel(extra, 8, (s) =>
      retryTransient(() =>
        api.call('POST', '/posts', s.accessToken, { text: `hello from ${s.user.username}` }),
      ),
    );
    const posters = [
      ...seeded.sessions.map((session, i) => ({ session, posts: graph.posts[i]! })),
      ...extra.map((session) => ({ session, posts: 1 })),
    ];
    const scaling = await followeeScaling(
      api,
      gatewayUrl,
      posters,
      [10, 100, 1000],
      quick ? 200 : 1000,
    );
    report.followees = scaling;
    const p50Of = (n: number) => scaling.readers.find((r) => r.followees === n)?.latency.p50 ?? NaN;
    measured.followeesP50 = { ten: p50Of(10), thousand: p50Of(1000) };
    await saveReport();
    out(`  gateway /healthz      p50 ${f2(scaling.health.p50)}  p99 ${f2(scaling.health.p99)} ms`);
    for (const r of scaling.readers) {
      out(
        `  following ${String(r.followees).padEnd(6)}     p50 ${f2(r.latency.p50)}  p99 ${f2(r.latency.p99)} ms (p99 ×${f2(r.latency.p99 / scaling.readers[0]!.latency.p99)} of 10 followees)`,
      );
    }
  }

  if (!skip.has('fanout')) {
    await freshUsers();
    const counts = followerCounts(graph);
    const top = counts.indexOf(Math.max(...counts));
    const reedFollowers = graph.follows
      .filter(([, b]) => b === top)
      .map(([a]) => seeded.sessions[a]!);
    out(
      `${clock()} fan-out: a post by the Reed98 user with the most followers (${reedFollowers.length})`,
    );
    const small = await fanOut(api, seeded.sessions[top]!, reedFollowers, 50);
    out(
      `  visible to all ${small.sampled} sampled followers after ${f1(small.lastMs)} ms (median ${f1(small.medianMs)} ms)`,
    );

    const followers = Number(values['zipf-followers'] ?? (quick ? 1000 : 2000));
    const zipf = zipfGraph({ followers });
    out(
      `${clock()} Zipf graph: ${zipf.users} users, ${zipf.follows.length} follows; ${describeDegrees('followers', degreeStats(followerCounts(zipf)))}`,
    );
    const zSeeded: SeededGraph = await seedGraph(api, zipf, {
      concurrency: 16,
      log: (l) => out(`${clock()} ${l}`),
    });
    const zFollowers = zipf.follows.filter(([, b]) => b === 0).map(([a]) => zSeeded.sessions[a]!);
    const big = await fanOut(api, zSeeded.sessions[0]!, zFollowers, 50);
    out(
      `  a post by the ${followers}-follower account: visible to all ${big.sampled} sampled followers after ${f1(big.lastMs)} ms (median ${f1(big.medianMs)} ms); ×${f1(big.lastMs / small.lastMs)} the ${reedFollowers.length}-follower post`,
    );
    measured.fanout = { followers, lastMs: big.lastMs };
    report.fanout = {
      reed98: { followers: reedFollowers.length, ...small },
      zipf: {
        followers,
        ...big,
        seeding: zSeeded.timings,
        msPerUser: zSeeded.timings.usersMs / zipf.users,
      },
    };
    await saveReport();
  }
} finally {
  out(`${clock()} stopping Flock`);
  await flock.stop();
}

report.ladders = ladders;
const byName = new Map(ladders.map((l) => [l.system, l]));
const [flockL, monoL, bareL] = [byName.get('flock'), byName.get('monolith'), byName.get('bare')];
const maxRates = {
  flock: maxRateWithin(flockL),
  monolith: maxRateWithin(monoL),
  bare: maxRateWithin(bareL),
};
report.maxRateP99Within100ms = maxRates;
out('');
out(`Highest offered rate with p99 ≤ ${P99_TARGET_MS} ms (and < 1% failures), of the rates tried:`);
out(
  `  flock ${maxRates.flock}/s, monolith ${maxRates.monolith}/s (flock = ${f2(maxRates.flock / maxRates.monolith)}×), bare http ${maxRates.bare}/s (flock = ${f2(maxRates.flock / maxRates.bare)}×)`,
);
for (const rate of [50, 100, 200]) {
  const at = (l: Ladder | undefined) => l?.steps.find((s) => s.rate === rate);
  const [fl, mo, ba] = [at(flockL), at(monoL), at(bareL)];
  if (!fl) continue;
  out(
    `  at ${rate}/s: flock p50 ${f1(fl.p50)} / p99 ${f1(fl.p99)} ms, CPU ${f2(fl.cpuMsPerRequest)} ms/req, RSS ${f1(fl.rssMiB)} MiB` +
      (mo
        ? `; monolith p50 ${f1(mo.p50)} / p99 ${f1(mo.p99)} ms, CPU ${f2(mo.cpuMsPerRequest)} ms/req (flock ×${f1(fl.p99 / mo.p99)} p99, ×${f1(fl.cpuMsPerRequest / mo.cpuMsPerRequest)} CPU)`
        : '') +
      (ba ? `; bare p99 ${f1(ba.p99)} ms, CPU ${f2(ba.cpuMsPerRequest)} ms/req` : ''),
  );
}

const at50 = (l: Ladder | undefined) => l?.steps.find((s) => s.rate === 50)?.cpuMsPerRequest ?? NaN;
const rows = targetRows({
  ...(measured as TargetInputs),
  requestsPerPage: measured.requestsPerPage ?? NaN,
  maxRate: { flock: maxRates.flock, monolith: maxRates.monolith },
  cpuAt50: { flock: at50(flockL), monolith: at50(monoL) },
});
report.targets = rows.map(({ met, ...row }) => ({
  ...row,
  met: Number.isFinite(row.measured) && met(row.measured),
}));
out(
  `\nIssue 13's targets, "${values.profile}" profile on ${values.runtime}:\n${targetTable(rows)}`,
);

if (ladders.length) {
  await writeFile(values.svg!, latencyChart(ladders, `${values.profile}${quick ? ', quick' : ''}`));
  out(`\nwrote ${values.svg}`);
}
await mkdir(path.dirname(values.json!), { recursive: true });
await writeFile(
  values.json!,
  `${JSON.stringify(report, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v), 2)}\n`,
);
out(`wrote ${values.json}; total ${((Date.now() - runStarted) / 60_000).toFixed(1)} min`);

/**
 * Posts as `author` and polls the home timelines of a random sample of `followers` until the post
 * is in each: the time from the create's 201 to the last sampled follower seeing it.
 */
async function fanOut(
  api: ApiClient,
  author: Session,
  followers: Session[],
  sampleSize: number,
): Promise<{ sampled: number; lastMs: number; medianMs: number; timedOut: number }> {
  // Fresh tokens first (they expire 15 minutes after login; refreshing hashes nothing).
  const sample = await inParallel(
    shuffled([...followers], new Random(42)).slice(0, sampleSize),
    8,
    (s) => api.refresh(s),
  );
  author = await api.refresh(author);
  const post = await api.call<{ id: string }>('POST', '/posts', author.accessToken, {
    text: 'fan-out probe',
  });
  const started = Date.now();
  const seenAfter = new Map<string, number>();
  const deadline = started + 600_000;
  while (seenAfter.size < sample.length && Date.now() < deadline) {
    await inParallel(
      sample.filter((s) => !seenAfter.has(s.user.id)),
      8,
      async (s) => {
        const page = await api.call<{ items: Array<{ postId: string }> }>(
          'GET',
          '/timeline/home?limit=20',
          s.accessToken,
        );
        if (page.items.some((e) => e.postId === post.id))
          seenAfter.set(s.user.id, Date.now() - started);
      },
    );
    await sleep(50);
  }
  const times = [...seenAfter.values()];
  return {
    sampled: sample.length,
    lastMs: Math.max(...times),
    medianMs: percentile(times, 50),
    timedOut: sample.length - times.length,
  };
}

/**
 * With --cpu-prof: the DSB mix at the knee (the highest rate that met the p99 target, else 25/s)
 * while every app's sampling profiler runs (SIGUSR2 on, SIGUSR2 off), then the top frames by
 * self time of the two apps that burned the most CPU in that window.
 */
async function profilePhase(
  gatewayUrl: string,
  dir: string,
  users: MixUser[],
  flockLadder: Ladder,
): Promise<void> {
  const rate = Number.isFinite(maxRateWithin(flockLadder)) ? maxRateWithin(flockLadder) : 25;
  const durationMs = quick ? 15_000 : 30_000;
  out(
    `${clock()} CPU profile: every app profiled for ${durationMs / 1000} s of the mix at ${rate}/s`,
  );
  const pids = [...appPids.keys()];
  const before = cpuByPid(pids);
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  await drive({ baseUrl: gatewayUrl, rate, durationMs, users, target: 'flock', seed: 7 });
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  const after = cpuByPid(pids);
  await sleep(3000);
  const ranked = pids
    .map((pid) => ({ pid, app: appPids.get(pid)!, cpu: after.get(pid)! - before.get(pid)! }))
    .sort((a, b) => b.cpu - a.cpu);
  out(
    `  CPU seconds by app in the window: ${ranked.map((r) => `${r.app} ${f1(r.cpu)}`).join(', ')}`,
  );
  const files = await readdir(dir);
  const profiles: Record<string, unknown> = {};
  for (const { pid, app, cpu } of ranked.slice(0, 2)) {
    const file = files.find((f) => f === `${app}.${pid}.cpuprofile`);
    if (!file) {
      out(`  no profile from ${app}`);
      continue;
    }
    const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile;
    const frames = topFrames(profile, 15);
    profiles[app] = { cpuSeconds: cpu, file: path.join(dir, file), frames };
    out(`  top frames by self time, ${app} (${path.join(dir, file)}):`);
    for (const fr of frames) {
      out(
        `    ${(fr.selfShare * 100).toFixed(1).padStart(5)}%  ${f1(fr.selfMs).padStart(8)} ms  ${fr.name}`,
      );
    }
  }
  report.cpuProfile = { rate, durationMs, cpuByApp: ranked, profiles };
  await saveReport();
}
