/**
 * Seeds a running Flock through its gateway and writes the users file the k6 scripts read.
 * Run after `npm run build`:
 *   node load-tests/dist/seed/cli.js --gateway http://127.0.0.1:3000 [--graph reed98|zipf]
 *     [--followers 10000] [--concurrency 16] [--out load-tests/users.json]
 */
import { parseArgs } from 'node:util';
import { ApiClient } from '../api-client.js';
import { degreeStats, describeDegrees, followerCounts, reed98Graph, zipfGraph } from './graph.js';
import { seedGraph, writeUsersFile } from './seeder.js';

const { values } = parseArgs({
  options: {
    gateway: { type: 'string', default: 'http://127.0.0.1:3000' },
    graph: { type: 'string', default: 'reed98' },
    followers: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '16' },
    out: { type: 'string', default: 'users.json' },
  },
});
const out = (line: string) => process.stdout.write(`${line}\n`);
const graph =
  values.graph === 'zipf' ? zipfGraph({ followers: Number(values.followers) }) : reed98Graph();
out(
  `${graph.name}: ${graph.users} users, ${graph.follows.length} follows, ` +
    `${graph.posts.reduce((a, b) => a + b, 0)} posts`,
);
out(describeDegrees('  followers per user', degreeStats(followerCounts(graph))));
const seeded = await seedGraph(new ApiClient(values.gateway!), graph, {
  concurrency: Number(values.concurrency),
  log: out,
});
await writeUsersFile(values.out!, seeded);
out(`wrote ${values.out}`);
