/**
 * How long refusing an over-long post takes, by its length (issue 12: a 60,000-character post
 * took 9–19 s to be refused, because graphemes were counted before any cheap bound). Not a
 * test: after a build, `node load-tests/dist/bench/long-text.js`. It measures, in one run:
 *
 * - in process, the kit's `userText(500)` schema refusing texts of 600 (the baseline, just over
 *   the limit), 6,000, 16,000 and 60,000 characters;
 * - through the whole embedded platform, `POST /api/flock/v1/posts` with the same texts, and a
 *   `GET /api/flock/v1/posts/:id` (the baseline of a cheap request).
 *
 * Linear work shows as time ratios no larger than the length ratios (60k/6k ≤ 10); a ratio far
 * below means a bound refused the longer text without reading it.
 */
import { performance } from 'node:perf_hooks';
import { PUBLIC_API_PREFIX, userText } from '@flock/kit';
import { startFlock } from './flock.js';

// 16,000 is the cheap bound of a 500-character text (32 UTF-16 code units a character): the
// longest text whose graphemes are still counted, so the worst case.
const SIZES = [600, 6_000, 16_000, 60_000];
const REPEATS = 30;
const postText = userText(500);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Median ms of `run` per size, sizes interleaved so drift in the machine hits all alike. */
async function bySize(run: (text: string) => Promise<void> | void): Promise<Map<number, number>> {
  const samples = new Map(SIZES.map((size) => [size, [] as number[]]));
  for (let i = 0; i < REPEATS; i++) {
    for (const size of SIZES) {
      const text = 'a'.repeat(size);
      const started = performance.now();
      await run(text);
      samples.get(size)!.push(performance.now() - started);
    }
  }
  return new Map([...samples].map(([size, values]) => [size, median(values)]));
}

function report(label: string, medians: Map<number, number>, baselineMs: number): void {
  for (const [size, ms] of medians)
    out(
      `${label}: ${size} chars refused in ${ms.toFixed(3)} ms (×${(ms / baselineMs).toFixed(1)} of baseline)`,
    );
  const ratio = (long: number, short: number) =>
    (medians.get(long)! / medians.get(short)!).toFixed(2);
  out(`${label}: 16k/6k (both counted) = ${ratio(16_000, 6_000)} (lengths ×2.67)`);
  out(`${label}: 60k/6k = ${ratio(60_000, 6_000)} (lengths ×10)`);
}

const inProcess = await bySize((text) => {
  if (postText.safeParse(text).success) throw new Error('an over-long text was accepted');
});
report('userText(500), in process', inProcess, inProcess.get(600)!);

const flock = await startFlock({ profile: 'embedded' });
try {
  const api = `${flock.platform.gatewayUrl}${PUBLIC_API_PREFIX}`;
  const json = { 'content-type': 'application/json' };
  const account = {
    username: 'bench',
    email: 'bench@example.com',
    password: 'correct horse battery',
  };
  await fetch(`${api}/auth/register`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(account),
  });
  const login = await fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ login: account.username, password: account.password }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const headers = { ...json, authorization: `Bearer ${accessToken}` };
  const created = await fetch(`${api}/posts`, {
    method: 'POST',
    headers,
    body: '{"text":"hello"}',
  });
  const { id } = (await created.json()) as { id: string };

  const reads: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    await (await fetch(`${api}/posts/${id}`)).text();
    reads.push(performance.now() - started);
  }
  const viaHttp = await bySize(async (text) => {
    const response = await fetch(`${api}/posts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ text }),
    });
    await response.text();
    if (response.status !== 400) throw new Error(`expected 400, got ${response.status}`);
  });
  out(`GET /posts/:id (baseline) in ${median(reads).toFixed(3)} ms`);
  report('POST /posts through the gateway', viaHttp, median(reads));
} finally {
  await flock.stop();
}
