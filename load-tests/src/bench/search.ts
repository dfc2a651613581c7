/**
 * Search query latency over 100,000 posts on a real Postgres, against a primary-key lookup on
 * the same table measured in the same run. Not a test: run it after a build,
 *   node load-tests/dist/bench/search.js [postgres-url]
 * (default postgres://postgres@127.0.0.1:5432/test). It works in its own database
 * `flock_search_bench`, created when missing and reloaded on every run.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { PgSearchIndex } from '@flock/search/store';

const POSTS = Number(process.env.BENCH_POSTS ?? 100_000);
const USERS = 10_000;
const QUERIES = 1_000;
const WARMUP = 100;
const BATCH = 5_000;
const BENCH_DB = 'flock_search_bench';

/** A deterministic generator (mulberry32), so every run loads the same corpus. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(42);
/** Zipf-like pick from 0..n-1: a few items are common, most are rare (as words and tags are). */
const zipf = (n: number) => Math.min(n - 1, Math.floor(n ** rand()) - 1);
const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'po', 'da', 'fu'];
const word = (i: number) => {
  let w = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / syllables.length))
    w += syllables[n % syllables.length];
  return w + (i % 7 === 0 ? 'ing' : '');
};
const VOCABULARY = Array.from({ length: 5_000 }, (_, i) => word(i));
const TAGS = Array.from({ length: 1_000 }, (_, i) => `tag${word(i)}`);

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function benchDatabase(url: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DB]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${BENCH_DB}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${BENCH_DB}`;
  return target.toString();
}

async function load(index: PgSearchIndex): Promise<void> {
  const db = index.pool;
  const started = performance.now();
  const userIds: string[] = [];
  for (let offset = 0; offset < USERS; offset += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, USERS - offset) }, (_, i) => offset + i);
    userIds.push(...ids.map((i) => `u${i}`));
    await db.query(
      `INSERT INTO search_users (user_id, username, email, changed_at)
       SELECT 'u' || i, name || i, name || i || '@example.com', now()
       FROM unnest($1::int[], $2::text[]) AS t(i, name)`,
      [ids, ids.map((i) => word(i % VOCABULARY.length))],
    );
  }
  const base = Date.UTC(2026, 0, 1);
  for (let offset = 0; offset < POSTS; offset += BATCH) {
    const n = Math.min(BATCH, POSTS - offset);
    const ids: string[] = [];
    const authors: string[] = [];
    const bodies: string[] = [];
    const tags: string[] = [];
    const times: string[] = [];
    for (let i = 0; i < n; i++) {
      const postTags = [
        ...new Set(Array.from({ length: zipf(4) }, () => TAGS[zipf(TAGS.length)]!)),
      ];
      const words = Array.from(
        { length: 8 + Math.floor(rand() * 25) },
        () => VOCABULARY[zipf(VOCABULARY.length)]!,
      );
      ids.push(`p${offset + i}`);
      authors.push(userIds[Math.floor(rand() * USERS)]!);
      bodies.push(`${words.join(' ')} ${postTags.map((t) => `#${t}`).join(' ')}`);
      // Postgres array literal of the tags (letters and digits only: no quoting needed).
      tags.push(`{${postTags.join(',')}}`);
      times.push(new Date(base + (offset + i) * 60_000).toISOString());
    }
    await db.query(
      `INSERT INTO search_posts (post_id, author_id, body, hashtags, tag_text, created_at, changed_at)
       SELECT id, author, body, tags::text[], array_to_string(tags::text[], ' '), at, at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
         AS t(id, author, body, tags, at)`,
      [ids, authors, bodies, tags, times],
    );
  }
  await db.query(
    `INSERT INTO search_post_tags (tag, created_at, post_id)
     SELECT DISTINCT tag, created_at, post_id FROM search_posts, unnest(hashtags) AS tag`,
  );
  await db.query('ANALYZE search_users, search_posts, search_post_tags');
  out(
    `loaded ${USERS} users and ${POSTS} posts in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

type Kind =
  | 'pk lookup (baseline)'
  | 'full-text'
  | 'hashtag page'
  | 'tag prefix'
  | 'username prefix'
  | 'user fuzzy';

function mix(): Array<{ kind: Kind; run: (index: PgSearchIndex) => Promise<unknown> }> {
  const pick = (): { kind: Kind; run: (index: PgSearchIndex) => Promise<unknown> } => {
    const r = rand();
    if (r < 0.5) {
      const terms = Array.from(
        { length: 1 + Math.floor(rand() * 2) },
        () => VOCABULARY[zipf(VOCABULARY.length)]!,
      );
      return { kind: 'full-text', run: (index) => index.posts(terms.join(' '), 20) };
    }
    if (r < 0.7) {
      const tag = TAGS[zipf(TAGS.length)]!;
      return { kind: 'hashtag page', run: (index) => index.postsTagged(tag, 20) };
    }
    if (r < 0.8) {
      const prefix = TAGS[zipf(TAGS.length)]!.slice(0, 5);
      return { kind: 'tag prefix', run: (index) => index.tags(prefix, 20) };
    }
    const user = Math.floor(rand() * USERS);
    const name = `${word(user % VOCABULARY.length)}${user}`;
    if (r < 0.9)
      return {
        kind: 'username prefix',
        run: (index) => index.users({ username: name.slice(0, 4) }, 20),
      };
    // A typo: two letters swapped.
    const typo = name.length > 3 ? name[1]! + name[0]! + name.slice(2) : name;
    return { kind: 'user fuzzy', run: (index) => index.users({ q: typo }, 20) };
  };
  return Array.from({ length: QUERIES }, pick);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  const url = await benchDatabase(process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/test');
  const reset = new pg.Client({ connectionString: url });
  await reset.connect();
  await reset.query(
    'DROP TABLE IF EXISTS search_post_tags, search_posts, search_users, search_processed_events',
  );
  await reset.end();
  const index = await PgSearchIndex.open(url, 'english', 2);
  try {
    await load(index);
    const queries = mix();
    const lookups = Array.from({ length: QUERIES }, () => `p${Math.floor(rand() * POSTS)}`);
    const baseline = (id: string) =>
      index.pool.query(
        'SELECT post_id, author_id, body, hashtags, created_at FROM search_posts WHERE post_id = $1',
        [id],
      );
    for (let i = 0; i < WARMUP; i++) {
      await queries[i]!.run(index);
      await baseline(lookups[i]!);
    }
    const times = new Map<Kind, number[]>();
    const time = async (kind: Kind, run: () => Promise<unknown>) => {
      const started = performance.now();
      await run();
      times.set(kind, [...(times.get(kind) ?? []), performance.now() - started]);
    };
    // Interleaved, so drift on the machine touches the baseline and the searches alike.
    for (let i = 0; i < QUERIES; i++) {
      await time('pk lookup (baseline)', () => baseline(lookups[i]!));
      await time(queries[i]!.kind, () => queries[i]!.run(index));
    }
    const base = [...times.get('pk lookup (baseline)')!].sort((a, b) => a - b);
    const [b50, b99] = [percentile(base, 50), percentile(base, 99)];
    out('| query | n | p50 ms | p99 ms | p50 / baseline p50 | p99 / baseline p99 |');
    out('|---|---:|---:|---:|---:|---:|');
    const all: number[] = [];
    for (const [kind, samples] of times) {
      const sorted = [...samples].sort((a, b) => a - b);
      if (kind !== 'pk lookup (baseline)') all.push(...samples);
      const [p50, p99] = [percentile(sorted, 50), percentile(sorted, 99)];
      out(
        `| ${kind} | ${sorted.length} | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${(p50 / b50).toFixed(1)}× | ${(p99 / b99).toFixed(1)}× |`,
      );
    }
    const mixed = all.sort((a, b) => a - b);
    const [m50, m99] = [percentile(mixed, 50), percentile(mixed, 99)];
    out(
      `| whole search mix | ${mixed.length} | ${m50.toFixed(2)} | ${m99.toFixed(2)} | ${(m50 / b50).toFixed(1)}× | ${(m99 / b99).toFixed(1)}× |`,
    );
  } finally {
    await index.close();
  }
}

await main();
