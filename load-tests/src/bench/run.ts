/**
 * `npm run bench`: one sidecar hop, then the whole platform under DeathStarBench's social-network
 * mix on each runtime (Flock's sidecar and the real daprd, when it is installed), against two
 * baselines measured in the same run on the same data:
 *   - a bare Node `http` server (the machine's ceiling for one Node process and this driver),
 *   - a single-process Express + `pg` monolith serving the same three requests from its own
 *     tables on the real Postgres (loaded with the same seeded graph and posts).
 * On each runtime also home-timeline p50/p99 at 10/100/1,000 followees, and fan-out completion
 * for a post by a Zipf graph's celebrity against one by the Reed98 graph's most-followed user.
 * The runtimes' figures are printed side by side at the end.
 *
 *   node load-tests/dist/bench/run.js [--profile postgres-redis|embedded]
 *     [--runtime auto|both|sidecar|daprd] [--quick] [--scale 0.25] [--without search]
 *     [--skip hop,baselines,mix,followees,fanout] [--zipf-followers 10000] [--cpu-prof]
 *     [--pg postgres://postgres@127.0.0.1:5432/test] [--svg docs/benchmarks-latency.svg]
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findDaprd, type Runtime } from '@flock/runner';
import { degreeStats, describeDegrees, followerCounts, reed98Graph } from '../seed/graph.js';
import { defaultProfile, repoRoot } from './flock.js';
import { benchFlock, flockSystem, type FlockRun } from './flock-run.js';
import { maxRateWithin, P99_TARGET_MS, type Ladder } from './ladder.js';
import { latencyChart } from './plot.js';
import { clock, f1, f2, minutesSinceStart, out } from './print.js';
import { targetRows, targetTable, type TargetInputs } from './targets.js';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: defaultProfile() },
    runtime: { type: 'string', default: 'auto' },
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
const runtimes = chooseRuntimes(values.runtime!, values.profile!);

/** `auto`: both runtimes when daprd is installed and the profile runs on it, else the sidecar. */
function chooseRuntimes(choice: string, profile: string): Runtime[] {
  const daprdCan = Boolean(findDaprd()) && profile !== 'embedded';
  if (choice === 'sidecar' || choice === 'daprd') return [choice];
  if (choice === 'both') return ['sidecar', 'daprd'];
  if (choice !== 'auto')
    throw new Error(`--runtime must be auto, both, sidecar or daprd, not "${choice}"`);
  if (!daprdCan)
    out(
      profile === 'embedded'
        ? 'the embedded profile runs on Flock’s sidecar only (daprd cannot reach PGlite)'
        : 'no daprd installed (bash scripts/dapr/build-daprd.sh): Flock’s sidecar only',
    );
  return daprdCan ? ['sidecar', 'daprd'] : ['sidecar'];
}

const report: Record<string, unknown> = {
  profile: values.profile,
  runtimes,
  quick,
  startedAt: new Date().toISOString(),
};
const runs: FlockRun[] = [];
const allLadders = () => runs.flatMap((r) => r.ladders);
/** Written after every phase, so a run that fails late still leaves its figures. */
const saveReport = async () => {
  await mkdir(path.dirname(values.json!), { recursive: true });
  const whole = {
    ...report,
    ladders: allLadders(),
    runs: runs.map((r) => ({ runtime: r.runtime, ...r.report, measured: r.measured })),
  };
  await writeFile(
    values.json!,
    `${JSON.stringify(whole, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v), 2)}\n`,
  );
};

if (!skip.has('hop')) await sidecarHop();

const graph = reed98Graph(98, 20, Number(values.scale ?? (quick ? 0.25 : 1)));
out(
  `${graph.name} graph (Chung–Lu, seed 98): ${graph.users} users, ${graph.follows.length / 2} edges → ${graph.follows.length} follows, ${graph.posts.reduce((a, b) => a + b, 0)} posts`,
);
out(`  ${describeDegrees('degree', degreeStats(followerCounts(graph)))}`);
for (const [i, runtime] of runtimes.entries()) {
  const run: FlockRun = { runtime, ladders: [], measured: {}, report: {} };
  runs.push(run);
  // The baselines run once, on the first runtime's seeded data.
  const runSkip = i === 0 ? skip : new Set([...skip, 'baselines']);
  await benchFlock(run, {
    profile: values.profile!,
    graph,
    quick,
    skip: runSkip,
    without: values.without!.split(',').filter(Boolean),
    pg: values.pg!,
    cpuProf: values['cpu-prof']!,
    zipfFollowers: Number(values['zipf-followers'] ?? (quick ? 1000 : 2000)),
    rates: {
      flock: quick ? [25, 50, 100, 200, 400] : [25, 50, 75, 100, 150, 200, 300, 400, 600],
      base: quick
        ? [25, 50, 100, 200, 400, 800, 1600, 3200]
        : [25, 50, 100, 200, 400, 800, 1600, 3200, 6400],
    },
    stepMs: { flock: quick ? 6_000 : 15_000, base: quick ? 5_000 : 8_000 },
    save: saveReport,
  });
  await saveReport();
}

summary();
if (allLadders().length) {
  await writeFile(
    values.svg!,
    latencyChart(allLadders(), `${values.profile}${quick ? ', quick' : ''}`),
  );
  out(`\nwrote ${values.svg}`);
}
await saveReport();
out(`wrote ${values.json}; total ${minutesSinceStart().toFixed(1)} min`);

/** One sidecar hop (a state read) straight to Postgres, through our sidecar and through daprd. */
async function sidecarHop(): Promise<void> {
  out(`${clock()} one sidecar hop: the same state read on each runtime, interleaved`);
  const script = fileURLToPath(new URL('./sidecar-hop.js', import.meta.url));
  const args = [script, '--iterations', quick ? '1000' : '3000', '--real-postgres', values.pg!];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    child.on('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) out(`  the sidecar-hop benchmark exited with ${code}`);
}

/** A rate at the target, or "none" when no step met it. */
function rateOf(n: number): string {
  return Number.isFinite(n) ? `${n}/s` : 'none';
}

function summary(): void {
  const baselines = new Map(allLadders().map((l) => [l.system, l]));
  const [monoL, bareL] = [baselines.get('monolith'), baselines.get('bare')];
  const flockOf = (r: FlockRun) => r.ladders.find((l) => l.system === flockSystem(r.runtime));
  const at = (l: Ladder | undefined, rate: number) => l?.steps.find((s) => s.rate === rate);
  const maxRates = Object.fromEntries(runs.map((r) => [r.runtime, maxRateWithin(flockOf(r))]));
  report.maxRateP99Within100ms = {
    ...maxRates,
    monolith: maxRateWithin(monoL),
    bare: maxRateWithin(bareL),
  };
  out('');
  out(
    `Highest offered rate with p99 ≤ ${P99_TARGET_MS} ms (and < 1% failures), of the rates tried:`,
  );
  out(
    `  ${runs.map((r) => `${flockSystem(r.runtime)} ${rateOf(maxRates[r.runtime]!)}`).join(', ')}; ` +
      `monolith ${rateOf(maxRateWithin(monoL))}, bare http ${rateOf(maxRateWithin(bareL))}`,
  );
  for (const run of runs) {
    const rows = targetRows({
      ...(run.measured as TargetInputs),
      requestsPerPage: run.measured.requestsPerPage ?? NaN,
      maxRate: { flock: maxRates[run.runtime]!, monolith: maxRateWithin(monoL) },
      cpuAt50: {
        flock: at(flockOf(run), 50)?.cpuMsPerRequest ?? NaN,
        monolith: at(monoL, 50)?.cpuMsPerRequest ?? NaN,
      },
    });
    run.report.targets = rows.map(({ met, ...row }) => ({
      ...row,
      met: Number.isFinite(row.measured) && met(row.measured),
    }));
    out(
      `\nIssue 13's targets, "${values.profile}" profile on ${run.runtime}:\n${targetTable(rows)}`,
    );
  }
  out(`\nThe runtimes side by side ("${values.profile}" profile, same graph, same machine):`);
  out(sideBySide(runs, flockOf));
}

/** One row per figure, one column per runtime, and daprd ÷ sidecar when both ran. */
function sideBySide(list: FlockRun[], flockOf: (r: FlockRun) => Ladder | undefined): string {
  const step = (r: FlockRun, rate: number) => flockOf(r)?.steps.find((s) => s.rate === rate);
  const figures: Array<[string, (r: FlockRun) => number, (n: number) => string]> = [
    ['highest rate with p99 ≤ 100 ms', (r) => maxRateWithin(flockOf(r)), rateOf],
    ...[50, 100].flatMap(
      (rate): Array<[string, (r: FlockRun) => number, (n: number) => string]> => [
        [`p50 at ${rate}/s (ms)`, (r) => step(r, rate)?.p50 ?? NaN, f1],
        [`p99 at ${rate}/s (ms)`, (r) => step(r, rate)?.p99 ?? NaN, f1],
        [`CPU ms per request at ${rate}/s`, (r) => step(r, rate)?.cpuMsPerRequest ?? NaN, f2],
      ],
    ),
    ['idle RSS after start (MiB)', (r) => r.measured.idleRssMiB ?? NaN, f1],
    [
      'seeding writes/s',
      (r) =>
        r.measured.seeding ? r.measured.seeding.writes / (r.measured.seeding.ms / 1000) : NaN,
      f1,
    ],
    ['home read p50, 10 followees (ms)', (r) => r.measured.followeesP50?.ten ?? NaN, f2],
    ['home read p50, 1,000 followees (ms)', (r) => r.measured.followeesP50?.thousand ?? NaN, f2],
    ['fan-out to every sampled follower (ms)', (r) => r.measured.fanout?.lastMs ?? NaN, f1],
  ];
  const both = list.length === 2;
  const lines = [
    `| figure | ${list.map((r) => r.runtime).join(' | ')} |${both ? ' daprd ÷ sidecar |' : ''}`,
    `| --- |${list.map(() => ' ---: |').join('')}${both ? ' ---: |' : ''}`,
  ];
  for (const [name, value, format] of figures) {
    const cells = list.map(value);
    const ratio = both ? ` ${f2(cells[1]! / cells[0]!)} |` : '';
    lines.push(`| ${name} | ${cells.map(format).join(' | ')} |${ratio}`);
  }
  return lines.join('\n');
}
