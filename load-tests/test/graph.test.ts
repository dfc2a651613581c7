import {
  chungLu,
  degreeStats,
  followerCounts,
  REED98,
  reed98Graph,
  zipfGraph,
} from '../src/seed/graph.js';
import { Random } from '../src/seed/prng.js';

describe('the seeded PRNG', () => {
  it('when seeded alike, then yields the same sequence; when seeded differently, another', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 5 },
        (
          (r) => () =>
            r.next()
        )(new Random(seed)),
      );
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });
});

describe('the Reed98-sized graph', () => {
  const graph = reed98Graph();

  it('when generated, then has socfb-Reed98 size: 962 users, 18,812 edges followed both ways', () => {
    expect(graph.users).toBe(REED98.users);
    expect(graph.follows).toHaveLength(2 * REED98.edges);
    const keys = new Set(graph.follows.map(([a, b]) => `${a}>${b}`));
    expect(keys.size).toBe(37_624);
    const selfLoops = graph.follows.filter(([a, b]) => a === b);
    const oneWay = graph.follows.filter(([a, b]) => !keys.has(`${b}>${a}`));
    expect(selfLoops).toEqual([]);
    expect(oneWay).toEqual([]);
  });

  it('when generated twice with one seed, then the graphs are identical; another seed differs', () => {
    expect(reed98Graph()).toEqual(graph);
    expect(reed98Graph(99).follows).not.toEqual(graph.follows);
  });

  it('when generated, then every user has 0–20 posts and at least one follower', () => {
    expect(graph.posts).toHaveLength(962);
    expect(Math.min(...graph.posts)).toBe(0);
    expect(Math.max(...graph.posts)).toBe(20);
    expect(Math.min(...followerCounts(graph))).toBeGreaterThan(0);
  });

  it('when generated, then the degrees are heavy-tailed: mean 39.1, max several times the median', () => {
    const stats = degreeStats(followerCounts(graph));
    expect(stats.mean).toBeCloseTo((2 * 18_812) / 962, 5);
    expect(stats.max).toBeGreaterThan(5 * stats.p50);
    expect(stats.p99).toBeGreaterThan(3 * stats.p50);
  });
});

describe('Chung–Lu', () => {
  it('when asked for an exact edge count, then returns exactly that many distinct pairs', () => {
    const edges = chungLu({ nodes: 100, edges: 700, seed: 3 });
    expect(edges).toHaveLength(700);
    expect(new Set(edges.map(([a, b]) => `${a}-${b}`)).size).toBe(700);
  });
});

describe('the Zipf popular-user graph', () => {
  it('when generated, then one account has exactly 10,000 followers among 10,001 users', () => {
    const graph = zipfGraph();
    expect(graph.users).toBe(10_001);
    const counts = followerCounts(graph);
    expect(counts[0]).toBe(10_000);
    expect(Math.max(...counts.slice(1))).toBeLessThan(10_000);
    expect(new Set(graph.follows.map(([a, b]) => `${a}>${b}`)).size).toBe(graph.follows.length);
    expect(graph.follows).toHaveLength(20_000);
  });

  it('when generated twice, then identical', () => {
    expect(zipfGraph({ followers: 500 })).toEqual(zipfGraph({ followers: 500 }));
  });
});
