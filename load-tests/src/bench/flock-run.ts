/**
 * Flock on one runtime, end to end: start the platform, seed the graph through the public API,
 * then the DSB mix ladder, home reads by followees and fan-out completion; the baselines run
 * against this run's seeded data when asked. Every figure lands in `report` as it is taken.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Runtime } from '@flock/runner';
import { ApiClient, inParallel } from '../api-client.js';
import {
  degreeStats,
  describeDegrees,
  followerCounts,
  zipfGraph,
  type SeedGraph,
} from '../seed/graph.js';
import { retryTransient, seedGraph, type SeededGraph } from '../seed/seeder.js';
import { runBaselines } from './baselines.js';
import { profilePhase } from './cpu-profile-phase.js';
import { fanOut } from './fanout.js';
import { repoRoot, startFlock } from './flock.js';
import { followeeScaling } from './followees.js';
import { runLadder, type Ladder } from './ladder.js';
import type { MixUser } from './mix.js';
import { clock, f1, f2, out } from './print.js';
import { cpuByPid, processesNamed, processTree, usage } from './proc.js';
import type { TargetInputs } from './targets.js';

export interface FlockRunOptions {
  profile: string;
  graph: SeedGraph;
  quick: boolean;
  /** Phases left out: baselines, mix, followees, fanout. */
  skip: ReadonlySet<string>;
  without: readonly string[];
  /** The monolith baseline's Postgres. */
  pg: string;
  cpuProf: boolean;
  zipfFollowers: number;
  rates: { flock: readonly number[]; base: readonly number[] };
  stepMs: { flock: number; base: number };
  /** Called after every phase and ladder step with what is known so far. */
  save: () => Promise<void>;
}

/** What one runtime's run measured; filled in phase by phase. */
export interface FlockRun {
  runtime: Runtime;
  /** Flock's ladder (system `flock on <runtime>`), and the baselines' when they ran here. */
  ladders: Ladder[];
  measured: Partial<TargetInputs>;
  report: Record<string, unknown>;
}

export const flockSystem = (runtime: Runtime) => `flock on ${runtime}`;

export async function benchFlock(run: FlockRun, o: FlockRunOptions): Promise<void> {
  const profDir = o.cpuProf ? await mkdtemp(path.join(tmpdir(), 'flock-cpuprof-')) : undefined;
  out(
    `${clock()} starting Flock, "${o.profile}" profile on ${run.runtime}${profDir ? ', every app with the SIGUSR2 profiler preloaded' : ''}`,
  );
  const flock = await startFlock({
    profile: o.profile,
    runtime: run.runtime,
    without: o.without,
    ...(profDir
      ? {
          env: {
            NODE_OPTIONS: `--import=${path.join(repoRoot, 'load-tests/dist/bench/cpu-prof-preload.js')}`,
            CPU_PROF_DIR: profDir,
          },
        }
      : {}),
  });
  // Ctrl-C or SIGTERM still stops the platform's processes (they are this process's children).
  const stopOnSignal = () => void flock.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal).once('SIGTERM', stopOnSignal);
  const appPids = new Map(flock.platform.apps.map((a) => [a.pid, a.appId]));
  try {
    await sleep(5000); // settle: start-up work done, nothing asked yet
    // This process's tree: the runner with its in-process sidecars (or daprd children), every app.
    const idleRssMiB = usage(processTree(process.pid)).rssBytes / 2 ** 20;
    out(`${clock()} idle RSS of the platform (runner, sidecars, every app): ${f1(idleRssMiB)} MiB`);
    run.measured.idleRssMiB = idleRssMiB;
    const gatewayUrl = flock.platform.gatewayUrl!;
    const api = new ApiClient(gatewayUrl);

    out(`${clock()} seeding through the gateway (16 requests in flight)`);
    // Access tokens live 15 minutes from their login, which happens at the start of seeding.
    let tokensAt = Date.now();
    const seeded = await seedGraph(api, o.graph, {
      concurrency: 16,
      log: (l) => out(`${clock()} ${l}`),
    });
    const perUser = seeded.timings.usersMs / o.graph.users;
    out(
      `  registration + login: ${f1(perUser)} ms per user of wall time (two argon2id hashes each)`,
    );
    run.report.seeding = { ...seeded.timings, msPerUser: perUser };
    const writes = o.graph.posts.reduce((a, b) => a + b, 0) + o.graph.follows.length;
    run.measured.seeding = { writes, ms: seeded.timings.postsMs + seeded.timings.followsMs };
    out(
      `  posts and follows: ${writes} writes in ${f1(run.measured.seeding.ms / 1000)} s (${f1(writes / (run.measured.seeding.ms / 1000))}/s)`,
    );
    await o.save();
    // What a client needs for one page: the page, plus one request per item if items are ids only.
    const page = await api.call<{ items: Array<{ text?: unknown }> }>(
      'GET',
      '/timeline/home?limit=20',
      seeded.sessions[0]!.accessToken,
    );
    run.measured.requestsPerPage = page.items.every((item) => typeof item.text === 'string')
      ? 1
      : 1 + page.items.length;

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
    const keep = (ladder: Ladder) => {
      if (!run.ladders.includes(ladder)) run.ladders.push(ladder);
      return o.save();
    };

    if (!o.skip.has('baselines')) {
      const shared = {
        rates: o.rates.base,
        stepMs: o.stepMs.base,
        users: freshUsers,
        onStep: keep,
      };
      await runBaselines(seeded, o.pg, shared);
    }
    if (!o.skip.has('mix')) {
      out(`${clock()} Flock under the DSB mix (60% home, 30% user timeline, 10% compose)`);
      const cpuBefore = cpuByPid([...appPids.keys()]);
      const ladder = await runLadder({
        system: flockSystem(run.runtime),
        target: 'flock',
        baseUrl: gatewayUrl,
        rates: o.rates.flock,
        stepMs: o.stepMs.flock,
        pids: () => processTree(process.pid),
        dbPids: () => processesNamed(o.profile === 'embedded' ? [] : ['postgres', 'redis-server']),
        users: freshUsers,
        onStep: keep,
      });
      const byApp = [...cpuByPid([...appPids.keys()])]
        .map(([pid, cpu]) => [appPids.get(pid)!, cpu - (cpuBefore.get(pid) ?? 0)] as const)
        .sort((a, b) => b[1] - a[1]);
      run.report.cpuSecondsByApp = Object.fromEntries(byApp);
      out(
        `  CPU seconds by app during the mix: ${byApp.map(([a, s]) => `${a} ${f1(s)}`).join(', ')}`,
      );
      if (profDir) {
        run.report.cpuProfile = await profilePhase({
          gatewayUrl,
          dir: profDir,
          users: await freshUsers(),
          flockLadder: ladder,
          appPids,
          durationMs: o.quick ? 15_000 : 30_000,
        });
        await o.save();
      }
    }
    if (!o.skip.has('followees')) {
      await freshUsers();
      await followees(run, api, gatewayUrl, seeded, o);
      await o.save();
    }
    if (!o.skip.has('fanout')) {
      await freshUsers();
      await fanOuts(run, api, seeded, o);
      await o.save();
    }
  } finally {
    out(`${clock()} stopping Flock on ${run.runtime}`);
    process.off('SIGINT', stopOnSignal).off('SIGTERM', stopOnSignal);
    await flock.stop();
  }
}

/** Home-timeline reads at 10, 100 and 1,000 followees (extra one-post accounts fill up to 1,000). */
async function followees(
  run: FlockRun,
  api: ApiClient,
  gatewayUrl: string,
  seeded: SeededGraph,
  o: FlockRunOptions,
): Promise<void> {
  out(`${clock()} home-timeline reads at 10, 100 and 1,000 followees`);
  const extra = await inParallel(
    Array.from({ length: Math.max(0, 1000 - o.graph.users) }, (_, i) => `poster_${i}`),
    8,
    (name) => api.signUp(name),
  );
  await inParallel(extra, 8, (s) =>
    retryTransient(() =>
      api.call('POST', '/posts', s.accessToken, { text: `hello from ${s.user.username}` }),
    ),
  );
  const posters = [
    ...seeded.sessions.map((session, i) => ({ session, posts: o.graph.posts[i]! })),
    ...extra.map((session) => ({ session, posts: 1 })),
  ];
  const scaling = await followeeScaling(
    api,
    gatewayUrl,
    posters,
    [10, 100, 1000],
    o.quick ? 200 : 1000,
  );
  run.report.followees = scaling;
  const p50Of = (n: number) => scaling.readers.find((r) => r.followees === n)?.latency.p50 ?? NaN;
  run.measured.followeesP50 = { ten: p50Of(10), thousand: p50Of(1000) };
  out(`  gateway /healthz      p50 ${f2(scaling.health.p50)}  p99 ${f2(scaling.health.p99)} ms`);
  for (const r of scaling.readers) {
    out(
      `  following ${String(r.followees).padEnd(6)}     p50 ${f2(r.latency.p50)}  p99 ${f2(r.latency.p99)} ms (p99 ×${f2(r.latency.p99 / scaling.readers[0]!.latency.p99)} of 10 followees)`,
    );
  }
}

/** A post by the Reed98 graph's most-followed user, then one by a Zipf graph's celebrity. */
async function fanOuts(
  run: FlockRun,
  api: ApiClient,
  seeded: SeededGraph,
  o: FlockRunOptions,
): Promise<void> {
  const counts = followerCounts(o.graph);
  const top = counts.indexOf(Math.max(...counts));
  const reedFollowers = o.graph.follows
    .filter(([, b]) => b === top)
    .map(([a]) => seeded.sessions[a]!);
  out(
    `${clock()} fan-out: a post by the Reed98 user with the most followers (${reedFollowers.length})`,
  );
  const small = await fanOut(api, seeded.sessions[top]!, reedFollowers, 50);
  out(
    `  visible to all ${small.sampled} sampled followers after ${f1(small.lastMs)} ms (median ${f1(small.medianMs)} ms)`,
  );
  const zipf = zipfGraph({ followers: o.zipfFollowers });
  out(
    `${clock()} Zipf graph: ${zipf.users} users, ${zipf.follows.length} follows; ${describeDegrees('followers', degreeStats(followerCounts(zipf)))}`,
  );
  const zSeeded = await seedGraph(api, zipf, {
    concurrency: 16,
    log: (l) => out(`${clock()} ${l}`),
  });
  const zFollowers = zipf.follows.filter(([, b]) => b === 0).map(([a]) => zSeeded.sessions[a]!);
  const big = await fanOut(api, zSeeded.sessions[0]!, zFollowers, 50);
  out(
    `  a post by the ${o.zipfFollowers}-follower account: visible to all ${big.sampled} sampled followers after ${f1(big.lastMs)} ms (median ${f1(big.medianMs)} ms); ×${f1(big.lastMs / small.lastMs)} the ${reedFollowers.length}-follower post`,
  );
  run.measured.fanout = { followers: o.zipfFollowers, lastMs: big.lastMs };
  run.report.fanout = {
    reed98: { followers: reedFollowers.length, ...small },
    zipf: {
      followers: o.zipfFollowers,
      ...big,
      seeding: zSeeded.timings,
      msPerUser: zSeeded.timings.usersMs / zipf.users,
    },
  };
}
