import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DaprClient } from '@dapr/dapr';
import { startEmbeddedPostgres } from '@flock/runner';
import { describeIfReachable, dropTable, eventually, findRealPostgres } from '@flock/testing';
import { sdkClient } from './support/sidecars.js';
import { componentYaml } from '../src/index.js';
import {
  daprdBuilt,
  removeFolder,
  resourcesFolder,
  startOn,
  type TestRuntime,
  type TestSidecar,
} from './support/runtimes.js';
import { holdServersDuringSuite, reachable, SERVERS } from './support/servers.js';
import { Redis } from 'ioredis';

const realPostgres = await findRealPostgres();
// One table per test run, so parallel runs and other suites never collide.
const runId = randomBytes(4).toString('hex');
const tablePrefix = `sidecar_state_${runId}_`;
const v1Table = `sidecar_v1_${runId}_state`;
const metadataTable = `sidecar_${runId}_dapr_metadata`;

interface Backend {
  name: string;
  reachable: boolean;
  what: string;
  start(): Promise<{ yaml: string; connectionString?: string; stop(): Promise<void> }>;
  /** daprd: in-memory/redis-style numeric etags reject a malformed etag (400); Postgres v2 reports a mismatch (409). */
  malformedEtagStatus: number;
  /**
   * first-write without an etag on a key saved without it: in-memory 409, Postgres a plain
   * failure (500); daprd's Redis refuses only over an item itself saved with first-write (204).
   */
  firstWriteConflictStatus: number;
  /**
   * The query API: in-memory ('scoped': typed comparisons over the app's own keys), Postgres v1
   * ('v1': daprd's text comparisons over the whole table); Postgres v2 and Redis have none (daprd).
   */
  query: 'scoped' | 'v1' | false;
  /** The body of a raw GET of {name: 'ada', age: 36, id: 7}; undefined: any key order. */
  rawBody: string | undefined;
  /** A Postgres backend's version and table. */
  postgres?: { version: 'v1' | 'v2'; table: string };
  /** How a query fails on a store without one (default: ERR_STATE_STORE_NOT_SUPPORTED). */
  noQuery?: { errorCode: string; message: string };
  /** Whether reads carry `metadata.ttlExpireTime` (daprd's Redis store sends none). */
  reportsExpiry?: boolean;
  /** Why the case cannot run on daprd, when it cannot. */
  notOnDaprd?: string;
}

// Redis keeps keys across runs: a key prefix of this run's own.
const redisPrefix = `state-${randomBytes(4).toString('hex')}`;

async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  try {
    const keys = await redis.keys(`${prefix}||*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

const postgresYaml = (connectionString: string, version: 'v1' | 'v2'): string =>
  componentYaml(
    'statestore',
    'state.postgresql',
    {
      connectionString,
      ...(version === 'v1' ? { tableName: v1Table } : { tablePrefix }),
      metadataTableName: metadataTable,
      cleanupInterval: '1s',
    },
    version,
  );

const compactBody = '{"age":36,"id":7,"name":"ada"}';

/** Postgres v1 and v2 on the real server (database "test") and on the embedded one. */
function postgresBackends(version: 'v1' | 'v2'): Backend[] {
  const table = version === 'v1' ? v1Table : `${tablePrefix}state`;
  const shape = {
    malformedEtagStatus: version === 'v1' ? 400 : 409,
    firstWriteConflictStatus: 500,
    query: version === 'v1' ? ('v1' as const) : (false as const),
    rawBody: version === 'v1' ? '{"id": 7, "age": 36, "name": "ada"}' : compactBody,
    postgres: { version, table },
  };
  return [
    {
      name: `state.postgresql ${version} on real Postgres`,
      reachable: realPostgres !== undefined,
      what: 'Postgres at 127.0.0.1:5432 (database "test")',
      start: async () => ({
        yaml: postgresYaml(realPostgres as string, version),
        connectionString: realPostgres as string,
        stop: async () => {
          await dropTable(realPostgres as string, table);
          await dropTable(realPostgres as string, metadataTable);
        },
      }),
      ...shape,
    },
    {
      name: `state.postgresql ${version} on embedded Postgres`,
      reachable: true,
      what: 'nothing',
      notOnDaprd: "daprd's migration transaction times out over the PGlite wire server",
      start: async () => {
        const db = await startEmbeddedPostgres();
        return {
          yaml: postgresYaml(db.connectionString, version),
          connectionString: db.connectionString,
          stop: () => db.stop(),
        };
      },
      ...shape,
    },
  ];
}

const backends: Backend[] = [
  {
    name: 'state.in-memory',
    reachable: true,
    what: 'nothing',
    start: async () => ({
      yaml: componentYaml('statestore', 'state.in-memory'),
      stop: async () => undefined,
    }),
    malformedEtagStatus: 409,
    firstWriteConflictStatus: 409,
    query: 'scoped',
    rawBody: compactBody,
  },
  ...postgresBackends('v1'),
  ...postgresBackends('v2'),
  {
    name: 'state.redis on real Redis',
    reachable: reachable.redis,
    what: `Redis at ${SERVERS.redis}`,
    start: async () => ({
      yaml: componentYaml('statestore', 'state.redis', {
        redisHost: SERVERS.redis,
        keyPrefix: redisPrefix,
      }),
      stop: () => dropRedisKeys(redisPrefix),
    }),
    malformedEtagStatus: 400,
    firstWriteConflictStatus: 204,
    query: false,
    // daprd's Redis store answered both in the order sent and sorted in two runs: order unchecked.
    rawBody: undefined,
    noQuery: {
      errorCode: 'ERR_STATE_QUERY',
      message:
        'state store statestore query failed: redis-json server support is required for query capability',
    },
    reportsExpiry: false,
  },
];

const cases = backends.flatMap((backend) => [
  { backend, runtime: 'sidecar' as TestRuntime },
  ...(backend.notOnDaprd
    ? []
    : [
        {
          // daprd's in-memory store has no query API (Flock's serves one: see api.test.ts).
          backend: backend.query === 'scoped' ? { ...backend, query: false as const } : backend,
          runtime: 'daprd' as TestRuntime,
        },
      ]),
]);

for (const { backend, runtime } of cases) {
  const available = backend.reachable && (runtime === 'sidecar' || daprdBuilt);
  const what =
    runtime === 'daprd' && !daprdBuilt ? 'daprd (bash scripts/dapr/build-daprd.sh)' : backend.what;
  describeIfReachable(available, what)(`state API on ${backend.name} (${runtime})`, () => {
    let sidecar: TestSidecar;
    let resources: string;
    let client: DaprClient;
    let stopBackend: () => Promise<void>;
    if (backend.name.startsWith('state.redis')) holdServersDuringSuite();
    let connectionString: string | undefined;
    const url = (path: string): string => `${sidecar.url}/v1.0/state/statestore${path}`;
    const save = (items: unknown[], query = ''): Promise<Response> =>
      fetch(url(query), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(items),
      });
    const etagOf = async (key: string): Promise<string> =>
      (await fetch(url(`/${key}`))).headers.get('etag') as string;

    beforeAll(async () => {
      const started = await backend.start();
      stopBackend = started.stop;
      connectionString = started.connectionString;
      resources = await resourcesFolder(started.yaml);
      sidecar = await startOn(runtime, { appId: 'state-app', resources });
      client = sdkClient(sidecar);
    }, 60_000);

    afterAll(async () => {
      await client?.stop();
      await sidecar?.stop();
      await removeFolder(resources);
      await stopBackend?.();
    });

    it('when a value is saved through the SDK, then the SDK and a raw GET read it back with an ETag', async () => {
      await client.state.save('statestore', [
        { key: 'user-1', value: { name: 'ada', age: 36, id: 7 } },
      ]);
      expect(await client.state.get('statestore', 'user-1')).toEqual({
        name: 'ada',
        age: 36,
        id: 7,
      });
      const res = await fetch(url('/user-1'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('etag')).toBeTruthy();
      // daprd re-encodes values with Go's encoding/json (keys sorted); Postgres v1 answers the
      // jsonb column as Postgres prints it (shorter keys first, blanks after ':' and ',').
      const body = await res.text();
      if (backend.rawBody === undefined)
        expect(JSON.parse(body)).toEqual({ name: 'ada', age: 36, id: 7 });
      else expect(body).toBe(backend.rawBody);
    });

    it('when a key was never saved, then GET answers 204 with an empty body and the SDK returns ""', async () => {
      const res = await fetch(url('/nobody'));
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
      expect(await client.state.get('statestore', 'nobody')).toBe('');
    });

    it('when saving or deleting with a stale etag, then the API answers 409 and the value is unchanged', async () => {
      expect((await save([{ key: 'counter', value: 1 }])).status).toBe(204);
      const stale = await etagOf('counter');
      expect((await save([{ key: 'counter', value: 2, etag: stale }])).status).toBe(204);
      const conflict = await save([{ key: 'counter', value: 3, etag: stale }]);
      expect(conflict.status).toBe(409);
      expect(await conflict.json()).toMatchObject({
        errorCode: 'ERR_STATE_SAVE',
        message: expect.stringContaining('possible etag mismatch'),
      });
      const del = await fetch(url('/counter'), {
        method: 'DELETE',
        headers: { 'if-match': stale },
      });
      expect(del.status).toBe(409);
      expect(await del.json()).toMatchObject({ errorCode: 'ERR_STATE_DELETE' });
      expect(await client.state.get('statestore', 'counter')).toBe(2);
      const current = await etagOf('counter');
      expect(
        (await fetch(url('/counter'), { method: 'DELETE', headers: { 'if-match': current } }))
          .status,
      ).toBe(204);
      expect((await fetch(url('/counter'))).status).toBe(204);
    });

    it('when the etag is malformed, then the answer follows the store (400 invalid, or 409 for Postgres v2)', async () => {
      await save([{ key: 'shape', value: 'x' }]);
      const res = await save([{ key: 'shape', value: 'y', etag: 'not-a-valid-etag' }]);
      expect(res.status).toBe(backend.malformedEtagStatus);
      expect(await res.json()).toMatchObject({ errorCode: 'ERR_STATE_SAVE' });
    });

    it('when first-write is asked without an etag for an existing key, then the write is refused', async () => {
      await save([{ key: 'first', value: 1 }]);
      const res = await save([{ key: 'first', value: 2, options: { concurrency: 'first-write' } }]);
      expect(res.status).toBe(backend.firstWriteConflictStatus);
      expect(await client.state.get('statestore', 'first')).toBe(res.status === 204 ? 2 : 1);
      expect(
        (await save([{ key: 'brand-new', value: 1, options: { concurrency: 'first-write' } }]))
          .status,
      ).toBe(204);
    });

    it('when a key contains "||", then the API answers 400 ERR_MALFORMED_REQUEST', async () => {
      const res = await save([{ key: 'a||b', value: 1 }]);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ errorCode: 'ERR_MALFORMED_REQUEST' });
      expect((await fetch(url('/a||b'))).status).toBe(400);
    });

    it('when the store name is unknown, then the API answers 400 ERR_STATE_STORE_NOT_FOUND', async () => {
      const res = await fetch(`${sidecar.url}/v1.0/state/nope/k`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ errorCode: 'ERR_STATE_STORE_NOT_FOUND' });
    });

    it('when keys are read in bulk, then items carry data and etag, and missing keys only their key', async () => {
      await client.state.save('statestore', [
        { key: 'b1', value: { n: 1 } },
        { key: 'b2', value: 'two' },
      ]);
      const res = await fetch(url('/bulk'), {
        method: 'POST',
        body: JSON.stringify({ keys: ['b1', 'b2', 'b-missing'] }),
      });
      expect(res.status).toBe(200);
      const items = (await res.json()) as Array<Record<string, unknown>>;
      // Found items come in the database's order (daprd's Postgres BulkGet), missing ones after.
      expect(items.slice(0, 2).sort((a, b) => String(a.key).localeCompare(String(b.key)))).toEqual([
        { key: 'b1', data: { n: 1 }, etag: expect.any(String) },
        { key: 'b2', data: 'two', etag: expect.any(String) },
      ]);
      expect(items[2]).toEqual({ key: 'b-missing' });
      const viaSdk = await client.state.getBulk('statestore', ['b1', 'b-missing']);
      expect(viaSdk).toEqual([
        { key: 'b1', data: { n: 1 }, etag: expect.any(String) },
        { key: 'b-missing' },
      ]);
    });

    it('when a transaction succeeds, then every operation is applied', async () => {
      await client.state.save('statestore', [{ key: 'tx-old', value: 1 }]);
      await client.state.transaction('statestore', [
        { operation: 'upsert', request: { key: 'tx-new', value: { ok: true } } },
        { operation: 'delete', request: { key: 'tx-old' } },
      ]);
      expect(await client.state.get('statestore', 'tx-new')).toEqual({ ok: true });
      expect(await client.state.get('statestore', 'tx-old')).toBe('');
    });

    // daprd runs a Redis transaction as MULTI of per-key scripts: a failed etag check does not stop
    // the others, and the API answers 204. Flock's sidecar keeps it atomic (see state/redis.ts).
    const atomic = !(runtime === 'daprd' && backend.name.startsWith('state.redis'));
    it(
      atomic
        ? 'when one transaction operation fails, then nothing is written and the API answers 500 (never 409)'
        : "when one transaction operation fails on daprd's Redis, then the others are applied anyway and the API answers 204",
      async () => {
        await save([{ key: 'tx-keep', value: 'before' }]);
        const stale = await etagOf('tx-keep');
        await save([{ key: 'tx-keep', value: 'current' }]);
        const res = await fetch(url('/transaction'), {
          method: 'POST',
          body: JSON.stringify({
            operations: [
              { operation: 'upsert', request: { key: 'tx-ghost', value: 1 } },
              { operation: 'delete', request: { key: 'tx-keep' } },
              { operation: 'upsert', request: { key: 'tx-keep', value: 'after', etag: stale } },
            ],
          }),
        });
        if (!atomic) {
          expect(res.status).toBe(204);
          expect((await fetch(url('/tx-ghost'))).status).toBe(200);
          return;
        }
        expect(res.status).toBe(500);
        expect(await res.json()).toMatchObject({ errorCode: 'ERR_STATE_TRANSACTION' });
        expect((await fetch(url('/tx-ghost'))).status).toBe(204);
        expect(await client.state.get('statestore', 'tx-keep')).toBe('current');
      },
    );

    it('when an unknown transaction operation is sent, then the API answers 400 ERR_NOT_SUPPORTED_STATE_OPERATION', async () => {
      const res = await fetch(url('/transaction'), {
        method: 'POST',
        body: JSON.stringify({ operations: [{ operation: 'merge', request: { key: 'x' } }] }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ errorCode: 'ERR_NOT_SUPPORTED_STATE_OPERATION' });
    });

    it('when a TTL is given in the query string, then it overrides the item TTL and the value expires', async () => {
      const res = await save(
        [{ key: 'short-lived', value: 'x', metadata: { ttlInSeconds: '3600' } }],
        '?metadata.ttlInSeconds=1',
      );
      expect(res.status).toBe(204);
      await save([{ key: 'long-lived', value: 'y', metadata: { ttlInSeconds: '3600' } }]);
      const long = await fetch(url('/long-lived'));
      if (backend.reportsExpiry === false) {
        expect(long.headers.get('metadata.ttlExpireTime')).toBeNull();
      } else {
        expect(long.headers.get('metadata.ttlExpireTime')).toMatch(
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
        );
      }
      await eventually(async () =>
        (await fetch(url('/short-lived'))).status === 204 ? true : undefined,
      );
    });

    it('when a value is deleted through the SDK, then it is gone', async () => {
      await client.state.save('statestore', [{ key: 'doomed', value: 1 }]);
      await client.state.delete('statestore', 'doomed');
      expect(await client.state.get('statestore', 'doomed')).toBe('');
    });

    const query = (body: unknown): Promise<Response> =>
      fetch(`${sidecar.url}/v1.0-alpha1/state/statestore/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const keysOf = async (res: Response): Promise<string[]> =>
      ((await res.json()) as { results: Array<{ key: string }> }).results.map((r) => r.key);

    if (backend.query) {
      describe('query API', () => {
        beforeAll(async () => {
          const people = [
            { key: 'q-ann', value: { name: 'ann', age: 31, city: 'Oslo', org: { team: 'core' } } },
            { key: 'q-bob', value: { name: 'bob', age: 25, city: 'Rome', org: { team: 'web' } } },
            { key: 'q-cid', value: { name: 'cid', age: 42, city: 'Oslo', org: { team: 'web' } } },
            { key: 'q-dan', value: { name: 'dan', age: 19, city: 'Lima', org: { team: 'core' } } },
          ];
          expect((await save(people)).status).toBe(204);
        });

        it('when filtering with EQ on a dotted key, then only matching items come back, keys without the app prefix', async () => {
          const res = await query({
            filter: { EQ: { 'org.team': 'web' } },
            sort: [{ key: 'name' }],
          });
          expect(res.status).toBe(200);
          const body = (await res.json()) as { results: Array<Record<string, unknown>> };
          expect(body.results.map((r) => r.key)).toEqual(['q-bob', 'q-cid']);
          expect(body.results[0]).toEqual({
            key: 'q-bob',
            data: { name: 'bob', age: 25, city: 'Rome', org: { team: 'web' } },
            etag: expect.any(String),
          });
        });

        it('when combining IN, AND, OR and GT with a DESC sort, then the order and the set follow the query', async () => {
          const res = await query({
            filter: {
              OR: [
                { AND: [{ IN: { city: ['Oslo', 'Lima'] } }, { GT: { age: 20 } }] },
                { EQ: { name: 'bob' } },
              ],
            },
            sort: [{ key: 'age', order: 'DESC' }],
          });
          expect(await keysOf(res)).toEqual(['q-cid', 'q-ann', 'q-bob']);
        });

        it('when paging with a limit, then a token leads to the next page', async () => {
          const filter = { IN: { name: ['ann', 'bob', 'cid', 'dan'] } };
          const first = await query({ filter, sort: [{ key: 'age' }], page: { limit: 3 } });
          const body = (await first.json()) as { results: Array<{ key: string }>; token?: string };
          expect(body.results.map((r) => r.key)).toEqual(['q-dan', 'q-bob', 'q-ann']);
          expect(body.token).toEqual(expect.any(String));
          const second = await query({
            filter,
            sort: [{ key: 'age' }],
            page: { limit: 3, token: body.token },
          });
          expect(await keysOf(second)).toEqual(['q-cid']);
        });

        it('when nothing matches, then the API answers 204; a malformed query is a 500 ERR_STATE_QUERY, as in daprd', async () => {
          expect((await query({ filter: { EQ: { city: 'Nowhere' } } })).status).toBe(204);
          const bad = await query({ filter: { LIKE: { city: 'x' } } });
          expect(bad.status).toBe(500);
          expect(await bad.json()).toMatchObject({
            errorCode: 'ERR_STATE_QUERY',
            message: expect.stringContaining('unsupported filter "LIKE"'),
          });
        });
      });
    } else {
      it('when the store cannot query, then the query API answers 500 as daprd does', async () => {
        const res = await query({ filter: { EQ: { a: 1 } } });
        expect(res.status).toBe(500);
        expect(await res.json()).toMatchObject(
          backend.noQuery ?? {
            errorCode: 'ERR_STATE_STORE_NOT_SUPPORTED',
            message: 'state store does not support querying',
          },
        );
      });
    }

    if (backend.name.startsWith('state.redis')) {
      it('when saved, then the key is a Dapr-style hash {data, version} and the etag is the version', async () => {
        await save([{ key: 'layout', value: { v: 1 } }]);
        await save([{ key: 'layout', value: { v: 2 } }]);
        const redis = new Redis({ host: '127.0.0.1', port: 6379 });
        try {
          expect(await redis.hgetall(`${redisPrefix}||layout`)).toEqual({
            data: '{"v":2}',
            version: '2',
          });
        } finally {
          redis.disconnect();
        }
        expect(await etagOf('layout')).toBe('2');
        // daprd's Redis store: an etag on a missing key succeeds; last-write ignores the etag.
        expect((await save([{ key: 'fresh-key', value: 1, etag: '7' }])).status).toBe(204);
        const lastWrite = await save([
          { key: 'layout', value: 3, etag: '999', options: { concurrency: 'last-write' } },
        ]);
        expect(lastWrite.status).toBe(204);
      });
    }

    const withDb = async <T>(work: (db: pg.Client) => Promise<T>): Promise<T> => {
      const db = new pg.Client({ connectionString });
      await db.connect();
      try {
        return await work(db);
      } finally {
        await db.end();
      }
    };

    if (backend.postgres) {
      const table = backend.postgres.table;
      it('when a row has expired, then the periodic cleanup (cleanupInterval 1s) deletes it from the table', async () => {
        await save([{ key: 'short-lived', value: 1, metadata: { ttlInSeconds: '1' } }]);
        await withDb(async (db) => {
          const count = async () =>
            Number(
              (
                await db.query(`SELECT count(*) AS n FROM ${table} WHERE key = $1`, [
                  'state-app||short-lived',
                ])
              ).rows[0].n,
            );
          expect(await count()).toBe(1);
          await eventually(async () => ((await count()) === 0 ? true : undefined), 10_000);
        });
      });
    }

    if (backend.postgres?.version === 'v2') {
      it('when saved, then the row uses the Dapr v2 layout with the key "<appId>||<key>" and a UUID etag', async () => {
        await save([{ key: 'layout', value: { v: 1 } }]);
        await withDb(async (db) => {
          const { rows } = await db.query(
            `SELECT key, value, etag, expires_at FROM ${backend.postgres?.table} WHERE key = $1`,
            ['state-app||layout'],
          );
          expect(rows).toHaveLength(1);
          expect(rows[0].value.toString()).toBe('{"v":1}');
          expect(rows[0].etag).toMatch(/^[0-9a-f-]{36}$/);
          expect(rows[0].expires_at).toBeNull();
        });
      });
    }

    if (backend.postgres?.version === 'v1') {
      const table = backend.postgres.table;
      it('when saved, then the row uses the Dapr v1 layout (jsonb value) and the etag is the row xmin', async () => {
        await save([{ key: 'layout', value: { v: 1 } }]);
        const etag = await etagOf('layout');
        await withDb(async (db) => {
          const { rows } = await db.query(
            `SELECT value, isbinary, xmin::text AS xmin, insertdate, updatedate, expiredate, row_id
             FROM ${table} WHERE key = $1`,
            ['state-app||layout'],
          );
          expect(rows).toEqual([
            {
              value: { v: 1 },
              isbinary: false,
              xmin: etag,
              insertdate: expect.any(Date),
              updatedate: null,
              expiredate: null,
              row_id: expect.any(String),
            },
          ]);
          // What daprd reads before migrating: the level is recorded, so neither side redoes a step.
          const meta = await db.query(`SELECT key, value FROM ${metadataTable} ORDER BY key`);
          expect(meta.rows).toEqual(
            expect.arrayContaining([
              { key: 'lock', value: 'lock' },
              { key: 'migrations', value: '3' },
            ]),
          );
        });
      });

      it('when an etag is not a uint32, then the API answers 400; a well-formed etag on a missing key is 409', async () => {
        await save([{ key: 'xmin', value: 1 }]);
        for (const etag of ['-1', '4294967296', '1.5']) {
          const res = await save([{ key: 'xmin', value: 2, etag }]);
          expect(res.status).toBe(400);
          expect(await res.json()).toMatchObject({
            message: expect.stringContaining('invalid etag value'),
          });
        }
        expect((await save([{ key: 'never-saved', value: 1, etag: '12345' }])).status).toBe(409);
        const del = await fetch(url('/never-saved'), {
          method: 'DELETE',
          headers: { 'if-match': '12345' },
        });
        expect(del.status).toBe(409);
      });

      it('when daprd stored bytes (isbinary, base64 in the jsonb), then GET answers the bytes', async () => {
        await withDb((db) =>
          db.query(`INSERT INTO ${table} (key, value, isbinary) VALUES ($1, $2, true)`, [
            'state-app||binary',
            JSON.stringify(Buffer.from('raw bytes').toString('base64')),
          ]),
        );
        expect(await (await fetch(url('/binary'))).text()).toBe('raw bytes');
      });

      describe("daprd's v1 query quirks", () => {
        beforeAll(async () => {
          await save([
            { key: 'v1-amy', value: { team: 'ops', age: 9, joined: '2024-01-01' } },
            { key: 'v1-ben', value: { team: 'ops', age: 100, joined: '2025-06-01' } },
            { key: 'v1-cat', value: { team: 'ops', age: 1000000, joined: '2023-03-01' } },
          ]);
          // Another app's row in the same table: daprd's v1 query does not scope by app.
          await withDb((db) =>
            db.query(`INSERT INTO ${table} (key, value, isbinary) VALUES ($1, $2, false)`, [
              'other-app||v1-dan',
              JSON.stringify({ team: 'ops', age: 50, joined: '2022-01-01' }),
            ]),
          );
        });

        it('when filtering, then every row of the table matches, other apps included, keys without their prefix', async () => {
          const res = await query({ filter: { EQ: { team: 'ops' } }, sort: [{ key: 'joined' }] });
          expect(await keysOf(res)).toEqual(['v1-dan', 'v1-cat', 'v1-amy', 'v1-ben']);
        });

        it('when comparing numbers, then they compare as text, and 1000000 is sent as Go prints it (1e+06)', async () => {
          const gt = await query({
            filter: { AND: [{ EQ: { team: 'ops' } }, { GT: { age: 50 } }] },
            sort: [{ key: 'age' }],
          });
          // '9' > '50' as text; '100' and '1000000' are not.
          expect(await keysOf(gt)).toEqual(['v1-amy']);
          expect((await query({ filter: { EQ: { age: 1000000 } } })).status).toBe(204);
          expect(await keysOf(await query({ filter: { EQ: { age: 100 } } }))).toEqual(['v1-ben']);
        });

        it('when GT/LT gets a string, then the query fails with 500 ERR_STATE_QUERY', async () => {
          const res = await query({ filter: { LT: { joined: '2024-06-01' } } });
          expect(res.status).toBe(500);
          expect(await res.json()).toMatchObject({
            errorCode: 'ERR_STATE_QUERY',
            message: expect.stringContaining('string type not permitted'),
          });
        });

        it('when a limit is given, then a token comes back even on a short last page', async () => {
          const res = await query({ filter: { EQ: { team: 'ops' } }, page: { limit: 10 } });
          const body = (await res.json()) as { results: unknown[]; token?: string };
          expect(body.results).toHaveLength(4);
          expect(body.token).toBe('4');
        });
      });
    }
  });
}
