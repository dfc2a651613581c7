/**
 * Seed graphs, generated deterministically from a seed.
 *
 * - `reed98Graph`: the size of socfb-Reed98 (962 users, 18,812 undirected edges, each followed
 *   both ways = 37,624 follows), DeathStarBench's default social graph. The real edge list is not
 *   shipped; a Chung–Lu graph with a heavy-tailed expected-degree sequence stands in for it.
 * - `zipfGraph`: a popular-user variant: one account followed by every other user (10,000 by
 *   default) plus a few follows per user drawn from a Zipf distribution over the others.
 */
import { Random, WeightedSampler } from './prng.js';

export interface SeedGraph {
  name: string;
  /** Usernames are `${prefix}${index}`. */
  prefix: string;
  users: number;
  /** Directed follows [follower, followee], in the order a seeder should send them. */
  follows: Array<[number, number]>;
  /** How many posts each user writes. */
  posts: number[];
}

export const REED98 = { users: 962, edges: 18_812 } as const;

export interface ChungLuOptions {
  nodes: number;
  edges: number;
  seed: number;
  /** Expected degree of rank r is ∝ (r + offset)^-exponent: 0.5 gives a degree tail P(k) ~ k^-3. */
  exponent?: number;
  offset?: number;
}

/**
 * A Chung–Lu random graph with exactly `edges` distinct undirected edges and no self-loops.
 * Node i gets weight w_i = (rank_i + offset)^-exponent (ranks shuffled over the ids, so the
 * popular users are spread over the id range). First every node gets one edge to a partner drawn
 * in proportion to weight (so nobody is isolated, as in the Facebook100 graphs, whose minimum
 * degree is 1); then endpoint pairs are drawn independently in proportion to weight, duplicates
 * and self-loops rejected, until the edge count is reached. Expected degrees are then ∝ weight:
 * the heavy tail of the weights becomes the heavy tail of the degrees.
 */
export function chungLu(options: ChungLuOptions): Array<[number, number]> {
  const { nodes, edges, seed } = options;
  const exponent = options.exponent ?? 0.5;
  const offset = options.offset ?? 2;
  if (edges > (nodes * (nodes - 1)) / 2) throw new Error('more edges than node pairs');
  if (edges < nodes) throw new Error('needs at least one edge per node');
  const random = new Random(seed);
  const ranks = shuffled(
    Array.from({ length: nodes }, (_, i) => i),
    random,
  );
  const sampler = new WeightedSampler(ranks.map((rank) => (rank + offset) ** -exponent));
  const seen = new Set<number>();
  const result: Array<[number, number]> = [];
  const add = (a: number, b: number): boolean => {
    if (a === b) return false;
    const [lo, hi] = a < b ? [a, b] : [b, a];
    const key = lo * nodes + hi;
    if (seen.has(key)) return false;
    seen.add(key);
    result.push([lo, hi]);
    return true;
  };
  for (let node = 0; node < nodes; node++) {
    while (!add(node, sampler.draw(random)));
  }
  while (result.length < edges) add(sampler.draw(random), sampler.draw(random));
  return result;
}

/**
 * socfb-Reed98's size, followed both ways, 0–20 posts per user. `scale` < 1 shrinks users and
 * edges alike (same mean degree) for smoke runs such as `npm run bench -- --quick`.
 */
export function reed98Graph(seed = 98, maxPostsPerUser = 20, scale = 1): SeedGraph {
  const random = new Random(seed ^ 0x5eed);
  const users = Math.round(REED98.users * scale);
  const edges = chungLu({ nodes: users, edges: Math.round(REED98.edges * scale), seed });
  const follows = shuffled(
    edges.flatMap(([a, b]): Array<[number, number]> => [
      [a, b],
      [b, a],
    ]),
    random,
  );
  const posts = Array.from({ length: users }, () => random.int(0, maxPostsPerUser));
  const name = scale === 1 ? 'reed98' : `reed98×${scale}`;
  return { name, prefix: 'r98_', users, follows, posts };
}

export interface ZipfOptions {
  /** Followers of the popular account (user 0); the graph has followers + 1 users. */
  followers?: number;
  /** Further follows per user, to accounts drawn with P(rank k) ∝ k^-s. */
  extraFollows?: number;
  s?: number;
  /** Posts the popular account has before the measurement. */
  popularPosts?: number;
  seed?: number;
}

/** One account with `followers` followers and a Zipf-distributed tail of smaller accounts. */
export function zipfGraph(options: ZipfOptions = {}): SeedGraph {
  const followers = options.followers ?? 10_000;
  const extra = options.extraFollows ?? 1;
  const s = options.s ?? 1;
  const random = new Random(options.seed ?? 10_000);
  const users = followers + 1;
  // Ranks 1..users-1 (the popular account is rank 0 and everyone follows it already).
  const sampler = new WeightedSampler(Array.from({ length: users - 1 }, (_, k) => (k + 1) ** -s));
  const follows: Array<[number, number]> = [];
  for (let user = 1; user < users; user++) {
    follows.push([user, 0]);
    const chosen = new Set<number>([user, 0]);
    while (chosen.size < Math.min(extra + 2, users)) {
      const followee = sampler.draw(random) + 1;
      if (chosen.has(followee)) continue;
      chosen.add(followee);
      follows.push([user, followee]);
    }
  }
  const posts = Array.from({ length: users }, (_, i) =>
    i === 0 ? (options.popularPosts ?? 3) : 0,
  );
  return { name: 'zipf', prefix: 'zf_', users, follows: shuffled(follows, random), posts };
}

export interface DegreeStats {
  min: number;
  p50: number;
  mean: number;
  p90: number;
  p99: number;
  max: number;
  /** Fitted exponent γ of P(k) ~ k^-γ over degrees ≥ the median (discrete MLE, Clauset et al.). */
  tailExponent: number;
}

/** Follower counts (in-degrees) of every user. */
export function followerCounts(graph: SeedGraph): number[] {
  const counts = new Array<number>(graph.users).fill(0);
  for (const [, followee] of graph.follows) counts[followee]!++;
  return counts;
}

export function degreeStats(degrees: readonly number[]): DegreeStats {
  const sorted = [...degrees].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  const mean = sorted.reduce((sum, d) => sum + d, 0) / sorted.length;
  const kMin = Math.max(1, at(0.5));
  const tail = sorted.filter((d) => d >= kMin);
  const logSum = tail.reduce((sum, d) => sum + Math.log(d / (kMin - 0.5)), 0);
  return {
    min: sorted[0]!,
    p50: at(0.5),
    mean,
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1]!,
    tailExponent: 1 + tail.length / logSum,
  };
}

export function describeDegrees(label: string, stats: DegreeStats): string {
  return (
    `${label}: min ${stats.min}, median ${stats.p50}, mean ${stats.mean.toFixed(1)}, ` +
    `p90 ${stats.p90}, p99 ${stats.p99}, max ${stats.max}, tail exponent γ≈${stats.tailExponent.toFixed(2)}`
  );
}

/** Fisher–Yates, in place, returning the array. */
export function shuffled<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
