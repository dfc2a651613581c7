/**
 * What one sidecar hop costs: the same state read, through the sidecar (HTTP API, as a service
 * makes it) and straight to Postgres (the query the sidecar runs), interleaved in one run so both
 * see the same machine load. Run: node sidecar/dist/bench/sidecar-hop.js [--real-postgres URL]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgresProcess } from '../embedded-postgres.js';
import { startSidecar } from '../sidecar.js';
import { ms, summarize, timed } from './stats.js';

const { values } = parseArgs({
  options: {
    'real-postgres': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    iterations: { type: 'string', default: '3000' },
  },
});
const iterations = Number(values.iterations);
const out = (line: string) => process.stdout.write(`${line}\n`);

async function measure(label: string, connectionString: string): Promise<void> {
  const prefix = `bench_${randomUUID().slice(0, 8)}_`;
  const sidecar = await startSidecar({
    appId: 'bench',
    httpPort: 0,
    logLevel: 'warn',
    components: [
      {
        name: 'store',
        type: 'state.postgresql',
        version: 'v2',
        metadata: [
          { name: 'connectionString', value: connectionString },
          { name: 'tablePrefix', value: prefix },
        ],
        scopes: [],
        file: 'bench',
      },
    ],
  });
  const pool = new pg.Pool({ connectionString, max: 1 });
  try {
    const value = { id: randomUUID(), username: 'bench_user', bio: 'x'.repeat(200) };
    const saved = await fetch(`${sidecar.url}/v1.0/state/store`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ key: 'user:1', value }]),
    });
    if (saved.status !== 204) throw new Error(`save answered ${saved.status}`);
    const viaSidecar = async () => {
      const response = await fetch(`${sidecar.url}/v1.0/state/store/user:1`);
      if (response.status !== 200) throw new Error(`get answered ${response.status}`);
      await response.arrayBuffer();
    };
    const direct = () =>
      pool.query(
        `SELECT value, etag FROM ${prefix}state WHERE key = $1 AND (expires_at IS NULL OR expires_at > now())`,
        ['bench||user:1'],
      );
    for (let i = 0; i < 200; i++) await Promise.all([viaSidecar(), direct()]); // warm up both paths
    const sidecarSamples: number[] = [];
    const directSamples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      // Alternate the order so neither path always runs on a freshly woken event loop.
      if (i % 2 === 0) {
        sidecarSamples.push(await timed(viaSidecar));
        directSamples.push(await timed(direct));
      } else {
        directSamples.push(await timed(direct));
        sidecarSamples.push(await timed(viaSidecar));
      }
    }
    const a = summarize(sidecarSamples);
    const b = summarize(directSamples);
    out(`${label}: ${iterations} sequential reads of one 300-byte item`);
    out(`  straight to Postgres   p50 ${ms(b.p50)}  p99 ${ms(b.p99)}`);
    out(`  through the sidecar    p50 ${ms(a.p50)}  p99 ${ms(a.p99)}`);
    out(
      `  one hop adds           p50 ${ms(a.p50 - b.p50)}  p99 ${ms(a.p99 - b.p99)}  (p50 ratio ${(a.p50 / b.p50).toFixed(2)}x)`,
    );
    await pool.query(`DROP TABLE IF EXISTS ${prefix}state`);
  } finally {
    await pool.end();
    await sidecar.stop();
  }
}

const embedded = await startEmbeddedPostgresProcess();
try {
  await measure('embedded Postgres (PGlite)', embedded.connectionString);
} finally {
  await embedded.stop();
}
await measure('real Postgres 15 on 127.0.0.1:5432', values['real-postgres']!);
