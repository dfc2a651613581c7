/**
 * The latency-against-rate chart of a benchmark run. Also a CLI that redraws it from the JSON a
 * run leaves (`load-tests/results/bench.json`), e.g. after a run that failed late:
 *   node load-tests/dist/bench/plot.js results.json docs/benchmarks-latency.svg [label]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { logLogChart } from './svg.js';

export interface PlottedLadder {
  system: string;
  steps: Array<{ rate: number; p50: number; p99: number }>;
}

const COLORS: Record<string, string> = {
  'flock on sidecar': '#1f77b4',
  'flock on daprd': '#d62728',
  monolith: '#2ca02c',
  bare: '#7f7f7f',
};

export function latencyChart(ladders: readonly PlottedLadder[], label: string): string {
  // Failures count as infinitely slow; clip them to the top of the chart.
  const y = (v: number | string) => (typeof v === 'number' && Number.isFinite(v) ? v : 20_000);
  return logLogChart({
    title: `DSB mix, open loop: latency against offered rate (${label})`,
    xLabel: 'offered rate (requests/s, log)',
    yLabel: 'latency from scheduled send (ms, log)',
    guide: { y: 100, label: 'p99 target 100 ms' },
    series: ladders.flatMap((l) => [
      {
        label: `${l.system} p99`,
        color: COLORS[l.system] ?? '#000',
        points: l.steps.map((s): [number, number] => [s.rate, Math.min(y(s.p99), 20_000)]),
      },
      {
        label: `${l.system} p50`,
        color: COLORS[l.system] ?? '#000',
        dashed: true,
        points: l.steps.map((s): [number, number] => [s.rate, y(s.p50)]),
      },
    ]),
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [from, to, label = ''] = process.argv.slice(2);
  if (!from || !to) throw new Error('usage: plot.js <results.json> <chart.svg> [label]');
  const report = JSON.parse(await readFile(from, 'utf8')) as {
    profile?: string;
    ladders: PlottedLadder[];
  };
  await writeFile(to, latencyChart(report.ladders, label || (report.profile ?? '')));
  process.stdout.write(`wrote ${to}\n`);
}
