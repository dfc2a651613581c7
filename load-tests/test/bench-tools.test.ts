import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { topFrames, type CpuProfile } from '../src/bench/cpuprofile.js';
import { DSB_MIX, dsbMix } from '../src/bench/mix.js';
import { percentile, runOpenLoop } from '../src/bench/open-loop.js';
import { logLogChart } from '../src/bench/svg.js';
import { targetRows, targetTable } from '../src/bench/targets.js';
import { Random } from '../src/seed/prng.js';

describe('the open-loop driver', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(req.url === '/fail' ? undefined : '{}'));
      if (req.url === '/fail') res.statusCode = 500;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('when run, then sends exactly the scheduled Poisson arrivals and sorts answers by kind', async () => {
    // The schedule is a pure function of the seed: count its arrivals inside the window.
    const random = new Random(5);
    let expected = 0;
    for (let t = random.exponential(10); t < 500; t += random.exponential(10)) expected++;
    const result = await runOpenLoop({
      baseUrl: url,
      rate: 100,
      durationMs: 500,
      seed: 5,
      plan: (i) => ({
        kind: i % 4 === 0 ? 'bad' : 'good',
        method: 'GET',
        path: i % 4 === 0 ? '/fail' : '/',
      }),
    });
    expect(result.sent).toBe(expected + 1);
    expect(result.ok + result.failed).toBe(result.sent);
    expect(result.failed).toBe(Math.ceil(result.sent / 4));
    expect(result.latencies.good).toHaveLength(result.ok);
    expect(result.latencies.bad).toBeUndefined();
  });
});

describe('the DSB mix', () => {
  it('when drawn many times, then is about 60/30/10 home/user/compose, and compose bodies are valid', () => {
    const users = Array.from({ length: 50 }, (_, i) => ({
      id: `id${i}`,
      username: `u${i}`,
      token: 't',
    }));
    const plan = dsbMix(users, 'flock', 1);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) {
      const request = plan(i);
      counts[request.kind] = (counts[request.kind] ?? 0) + 1;
      if (request.kind === 'compose') {
        const { text } = JSON.parse(request.body!) as { text: string };
        expect(text.length).toBeLessThanOrEqual(500);
        expect(text).toMatch(/@u\d+/);
      }
    }
    expect(counts.home! / 20_000).toBeCloseTo(DSB_MIX.home, 1);
    expect(counts.user! / 20_000).toBeCloseTo(DSB_MIX.user, 1);
    expect(counts.compose! / 20_000).toBeCloseTo(DSB_MIX.compose, 1);
  });
});

describe('report helpers', () => {
  it('when given samples, then percentile is nearest-rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile([], 50)).toBeNaN();
  });

  it('when given a cpuprofile, then ranks frames by self samples', () => {
    const frame = (id: number, functionName: string) => ({
      id,
      callFrame: { functionName, url: 'file:///x/node_modules/pkg/a.js', lineNumber: 0 },
    });
    const profile: CpuProfile = {
      nodes: [frame(1, '(root)'), frame(2, 'hot'), frame(3, 'warm')],
      samples: [2, 2, 2, 3, 3, 1, 2],
      startTime: 0,
      endTime: 6000,
    };
    const frames = topFrames(profile, 2);
    expect(frames.map((f) => f.name)).toEqual(['hot pkg/a.js:1', 'warm pkg/a.js:1']);
    expect(frames[0]!.selfShare).toBeCloseTo(4 / 7);
  });

  it('when plotting, then writes one path per series and skips unplottable points', () => {
    const svg = logLogChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      guide: { y: 100, label: 'target' },
      series: [
        {
          label: 'a',
          color: '#000',
          points: [
            [10, 5],
            [100, 50],
          ],
        },
        {
          label: 'b',
          color: '#f00',
          points: [
            [10, NaN],
            [100, 500],
          ],
          dashed: true,
        },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).not.toContain('NaN');
  });
});

describe('the targets table', () => {
  test('when figures meet some targets, then those rows are marked met and a phase not run never is', () => {
    const rows = targetRows({
      maxRate: { flock: 200, monolith: 400 },
      cpuAt50: { flock: 4.5, monolith: 1 },
      requestsPerPage: 1,
      followeesP50: { ten: 5, thousand: 5.5 },
      idleRssMiB: 900,
    });
    const met = (metric: RegExp) =>
      targetTable(rows)
        .split('\n')
        .find((l) => metric.test(l))!;
    expect(met(/highest rate/)).toMatch(/\| 0\.50 \| ≥ 0\.5× \| ✔ \|$/);
    expect(met(/CPU ms/)).toMatch(/4\.50 \| ≤ 3× \| ✘ \|$/);
    expect(met(/requests to show/)).toMatch(/✔ \|$/);
    expect(met(/following 1,000/)).toMatch(/1\.10 \| ≤ 1\.2 \| ✔ \|$/);
    expect(met(/RSS/)).toMatch(/✘ \|$/);
    expect(met(/follower post/)).toMatch(/not run .*✘ \|$/);
    expect(met(/seeding/)).toMatch(/not run .*✘ \|$/);
  });
});
