/**
 * The targets of issue 13, each as a figure of this run against its baseline of the same run,
 * printed as one markdown table with the rows that are met marked. A row whose phase was skipped
 * says so instead of passing.
 */
export interface TargetRow {
  metric: string;
  /** This run's figure, as printed. */
  value: string;
  /** What it is compared with, as printed ('' when the target is absolute). */
  baseline: string;
  /** The figure the target is about (a ratio or an absolute value); NaN when not measured. */
  measured: number;
  target: string;
  met: (measured: number) => boolean;
}

const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');

export interface TargetInputs {
  maxRate: { flock: number; monolith: number };
  cpuAt50: { flock: number; monolith: number };
  /** Requests the client needs for a home page of 20: 1 when its items are whole posts. */
  requestsPerPage: number;
  fanout?: { followers: number; lastMs: number };
  /** Home read p50 (ms) by followees. */
  followeesP50?: { ten: number; thousand: number };
  idleRssMiB: number;
  seeding?: { writes: number; ms: number };
}

export function targetRows(input: TargetInputs): TargetRow[] {
  const { maxRate, cpuAt50, fanout, followeesP50, seeding } = input;
  const rows: TargetRow[] = [
    {
      metric: 'highest rate with p99 ≤ 100 ms, DSB mix, ÷ monolith',
      value: Number.isFinite(maxRate.flock) ? `${maxRate.flock}/s` : 'none',
      baseline: `${maxRate.monolith}/s`,
      measured: (maxRate.flock || 0) / maxRate.monolith,
      target: '≥ 0.5×',
      met: (r) => r >= 0.5,
    },
    {
      metric: 'CPU ms per request at 50/s, ÷ monolith',
      value: f2(cpuAt50.flock),
      baseline: f2(cpuAt50.monolith),
      measured: cpuAt50.flock / cpuAt50.monolith,
      target: '≤ 3×',
      met: (r) => r <= 3,
    },
    {
      metric: 'requests to show a timeline page of 20 posts',
      value: String(input.requestsPerPage),
      baseline: '',
      measured: input.requestsPerPage,
      target: '1',
      met: (n) => n === 1,
    },
    {
      metric: `${fanout ? fanout.followers.toLocaleString('en') : '10,000'}-follower post in every sampled follower's home (s)`,
      value: fanout ? f2(fanout.lastMs / 1000) : 'not run',
      baseline: '',
      measured: fanout ? fanout.lastMs / 1000 : NaN,
      target: '< 2 s (at 10,000)',
      met: (s) => s < 2 && fanout!.followers >= 10_000,
    },
    {
      metric: 'home read p50, following 1,000 ÷ following 10',
      value: followeesP50 ? `${f2(followeesP50.thousand)} ms` : 'not run',
      baseline: followeesP50 ? `${f2(followeesP50.ten)} ms` : '',
      measured: followeesP50 ? followeesP50.thousand / followeesP50.ten : NaN,
      target: '≤ 1.2',
      met: (r) => r <= 1.2,
    },
    {
      metric: 'platform RSS after start, idle (MiB)',
      value: input.idleRssMiB.toFixed(0),
      baseline: '',
      measured: input.idleRssMiB,
      target: '≤ 800',
      met: (m) => m <= 800,
    },
    {
      metric: 'seeding writes/s through the public API (posts and follows)',
      value: seeding ? f2(seeding.writes / (seeding.ms / 1000)) : 'not run',
      baseline: '',
      measured: seeding ? seeding.writes / (seeding.ms / 1000) : NaN,
      target: '≥ 500',
      met: (w) => w >= 500,
    },
  ];
  return rows;
}

/** The rows as a markdown table; a row is met only if it was measured and meets its target. */
export function targetTable(rows: readonly TargetRow[]): string {
  const lines = [
    '| metric | this run | baseline | ratio / figure | target | met |',
    '| --- | ---: | ---: | ---: | --- | :-: |',
  ];
  for (const r of rows) {
    const met = Number.isFinite(r.measured) && r.met(r.measured);
    lines.push(
      `| ${r.metric} | ${r.value} | ${r.baseline} | ${f2(r.measured)} | ${r.target} | ${met ? '✔' : '✘'} |`,
    );
  }
  return lines.join('\n');
}
