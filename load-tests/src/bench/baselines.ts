/**
 * The two baselines every Flock figure is divided by, measured in the same run on the same data:
 * a bare Node `http` server (the machine's ceiling for one Node process and this driver) and a
 * single-process Express + `pg` monolith serving the same three requests from its own tables.
 */
import { randomBytes } from 'node:crypto';
import type { SeededGraph } from '../seed/seeder.js';
import { bareServerFile } from './bare-server.js';
import { runLadder, type Ladder, type LadderRun } from './ladder.js';
import { dropMonolith, loadMonolith, monolithFile, startChildServer } from './monolith.js';
import { clock, out } from './print.js';
import { processesNamed } from './proc.js';

type Shared = Pick<LadderRun, 'rates' | 'stepMs' | 'users' | 'onStep'>;

export async function runBaselines(
  seeded: SeededGraph,
  pg: string,
  shared: Shared,
): Promise<Ladder[]> {
  const ladders: Ladder[] = [];
  const bare = await startChildServer(bareServerFile);
  out(`${clock()} baseline 1: bare Node http server`);
  try {
    ladders.push(
      await runLadder({
        ...shared,
        system: 'bare',
        target: 'bare',
        baseUrl: bare.url,
        pids: () => [bare.pid],
        dbPids: () => [],
      }),
    );
  } finally {
    await bare.stop();
  }
  const schema = `bench_monolith_${randomBytes(4).toString('hex')}`;
  try {
    await loadMonolith(pg, schema, seeded);
    const mono = await startChildServer(monolithFile, { MONOLITH_PG: pg, MONOLITH_SCHEMA: schema });
    out(`${clock()} baseline 2: Express + pg monolith on ${pg} (schema ${schema})`);
    try {
      ladders.push(
        await runLadder({
          ...shared,
          system: 'monolith',
          target: 'monolith',
          baseUrl: mono.url,
          pids: () => [mono.pid],
          dbPids: () => processesNamed(['postgres']),
        }),
      );
    } finally {
      await mono.stop();
    }
  } catch (error) {
    out(`  monolith baseline skipped: ${(error as Error).message}`);
  } finally {
    await dropMonolith(pg, schema).catch(() => undefined);
  }
  return ladders;
}
