import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { startTestPlatform, type Session, type TestPlatform } from '@flock/testing';
import { publicRoutes } from '@flock/kit';
import { APIS, apiDocument } from '../src/gateway.apis.js';

/**
 * The hostile-input fuzz suite (issue 12): every operation of the gateway's OpenAPI document,
 * walked with generated hostile requests — wrong types, huge and deep bodies, control
 * characters, NUL and lone surrogates, broken percent-encoding and Content-Encoding, bad
 * cursors, bad content types, bad tokens — against the whole embedded platform. No answer may
 * be a 5xx, take longer than 2 s, or be an error other than problem+json, and every service
 * must still be healthy (and the shared lists readable) afterwards. A fixed seed and a fixed
 * number of requests per operation make it deterministic and bounded.
 */
const SEED = 20_261_202;
const REQUESTS_PER_OPERATION = 36;
const IN_FLIGHT = 4;
const SLOWEST_MS = 2_000;

type Parameter = { name: string; in: 'path' | 'query' | 'header' };
type Operation = {
  parameters: Parameter[];
  requestBody?: { content: { 'application/json': { schema: { properties?: object } } } };
};

interface HostileRequest {
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Each byte of the UTF-8 form as %XX (a lone surrogate becomes U+FFFD: a URL cannot hold it). */
const percentEncode = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const base64url = (text: string) => Buffer.from(text).toString('base64url');

/** Text a careless or hostile client types, short enough for a URL (Node refuses >16 KiB: 431). */
const shortText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom(
    'a\u0000b',
    '\u0000',
    'x\ud800y',
    '\udfff',
    'e\u0301'.repeat(200),
    '\u202eevil',
    "'; DROP TABLE posts; --",
    '../../etc/passwd',
    '#tag @alice',
    '',
    '   ',
  ),
  fc.integer({ min: 100, max: 3_000 }).map((n) => 'a'.repeat(n)),
);

/** The same, and texts up to past the body limit. */
const hostileText = fc.oneof(
  shortText,
  fc.integer({ min: 1_000, max: 70_000 }).map((n) => 'a'.repeat(n)),
);

/** Values of the wrong type for any field. */
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** Cursors no list issued: wrong JSON, wrong types, NUL, junk. */
const badCursor = fc.oneof(
  fc.constantFrom('InN0ciI', 'eyJiZWZvcmUiOiJcdTAwMDAifQ', '%00', '!!!', 'null', ''),
  fc.jsonValue({ maxDepth: 3 }).map((value) => base64url(JSON.stringify(value))),
  shortText.map((text) => base64url(JSON.stringify({ before: text }))),
  fc.string({ unit: 'binary', maxLength: 60 }).map(base64url),
);

/** Query values: hostile text, numbers out of range, cursors. */
const queryValue = fc.oneof(
  shortText.map(percentEncode),
  fc.constantFrom('-1', '0', '101', '1e309', 'NaN', '2.5', '%C0%AE', '%', '%zz', '%E0%A4%A'),
  badCursor,
);

function deepJson(depth: number): string {
  return `{"text":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** A body: the operation's fields with hostile values, any JSON, deep, huge, or not JSON. */
const body = (fields: string[]) =>
  fc.oneof(
    fc
      .record(Object.fromEntries(fields.map((f) => [f, fc.oneof(hostileText, wrongType)])), {
        requiredKeys: [],
      })
      .map((value) => JSON.stringify(value)),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.integer({ min: 30, max: 20_000 }).map(deepJson),
    fc.constant(JSON.stringify({ text: 'x'.repeat(70_000) })),
    fc.constantFrom('', '{', '{"text":', 'null', '[]', '{"__proto__":{"admin":true}}', 'text=hi'),
  );

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-16',
  'application/json; charset=klingon',
  'application/merge-patch+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  undefined,
);

/** How the body is (claimed to be) compressed: mostly honest, sometimes a lie. */
const encoding = fc.constantFrom(
  'identity',
  'identity',
  'identity',
  'gzip',
  'lie:br',
  'lie:gzip',
  'lie:deflate',
  'x-unknown',
);

function encodeBody(text: string, how: string): { body: Buffer; header?: string } {
  if (how === 'identity') return { body: Buffer.from(text) };
  if (how === 'gzip') return { body: gzipSync(text), header: 'gzip' };
  if (how.startsWith('lie:')) return { body: Buffer.from(text), header: how.slice(4) };
  return { body: Buffer.from(text), header: how };
}

function hostileRequests(
  route: string,
  method: string,
  operation: Operation,
  context: { ids: string[]; token: string },
): fc.Arbitrary<HostileRequest> {
  const pathNames = operation.parameters.filter((p) => p.in === 'path').map((p) => p.name);
  const queryNames = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const fields = Object.keys(
    operation.requestBody?.content['application/json'].schema.properties ?? {},
  );
  const pathValue = fc.oneof(
    fc.constantFrom(...context.ids),
    fc.uuid(),
    shortText.map(percentEncode),
    fc.constantFrom('%C0%AE', '%', '%zz', '%E0%A4%A', '%ED%A0%80', '..', '%2e%2e', '%2F'),
  );
  const auth = fc.constantFrom(
    `Bearer ${context.token}`,
    `Bearer ${context.token}`,
    `Bearer ${context.token}`,
    undefined,
    'Bearer not.a.jwt',
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    `Basic ${base64url('alice:pw')}`,
  );
  const hasBody = !['get', 'delete'].includes(method) || fields.length > 0;
  return fc
    .record({
      path: fc.tuple(...pathNames.map(() => pathValue)),
      query: fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(...queryNames, 'cursor', 'limit'),
            fc.string({ maxLength: 6 }).map(percentEncode),
          ),
          queryValue,
        ),
        { maxLength: 3 },
      ),
      body: hasBody ? body(fields) : fc.constant(undefined),
      type: contentType,
      encoding,
      auth,
    })
    .map((r) => {
      let i = 0;
      const path = route.replace(/\{\w+\}/g, () => r.path[i++] ?? 'x');
      const query = r.query.map(([k, v]) => `${k}=${v}`).join('&');
      const headers: Record<string, string> = {};
      if (r.auth) headers.authorization = r.auth;
      let encoded: Buffer | undefined;
      if (r.body !== undefined) {
        const { body: bytes, header } = encodeBody(r.body, r.encoding);
        encoded = bytes;
        if (header) headers['content-encoding'] = header;
        if (r.type) headers['content-type'] = r.type;
      }
      return { path, query, headers, ...(encoded ? { body: encoded } : {}) };
    });
}

interface Outcome {
  what: string;
  status: number;
  ms: number;
  problem: boolean;
  /** The start of the body sent and of the answer, to reproduce a failure. */
  sent: string;
  answer: string;
}

async function send(base: string, method: string, request: HostileRequest): Promise<Outcome> {
  const what = `${method.toUpperCase()} ${request.path}${request.query ? `?${request.query.slice(0, 80)}` : ''}`;
  const started = performance.now();
  const response = await fetch(
    `${base}${request.path}${request.query ? `?${request.query}` : ''}`,
    {
      method: method.toUpperCase(),
      headers: request.headers,
      ...(request.body ? { body: request.body } : {}),
      signal: AbortSignal.timeout(10_000),
    },
  );
  const type = response.headers.get('content-type') ?? '';
  let problem = true;
  let text = '';
  if (type.startsWith('text/event-stream')) await response.body?.cancel();
  else {
    text = await response.text();
    if (response.status >= 400) {
      try {
        problem =
          type.startsWith('application/problem+json') &&
          (JSON.parse(text) as { status?: number }).status === response.status;
      } catch {
        problem = false;
      }
    }
  }
  return {
    what,
    status: response.status,
    ms: performance.now() - started,
    problem,
    sent: `${JSON.stringify(request.headers)} ${request.body?.subarray(0, 120).toString() ?? ''}`,
    answer: text.slice(0, 300),
  };
}

/** Runs `tasks` with at most `limit` in flight, in order of start. */
async function inParallel<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/** Operations that end the fuzzer's session go last, so they do not blunt the rest. */
const ENDS_SESSION = new Set(['post /auth/logout', 'delete /users/{id}']);

describe('hostile-input fuzz: every OpenAPI operation through the gateway', () => {
  let flock: TestPlatform;
  let alice: Session;
  let ids: string[];

  beforeAll(async () => {
    flock = await startTestPlatform({
      env: { RATE_LIMIT_USER_PER_MINUTE: '1000000', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000' },
    });
    alice = await flock.signUp('alice');
    const bob = await flock.signUp('bob');
    const post = await flock.call<{ id: string }>('POST', '/posts', bob.accessToken, {
      text: 'hi #fuzz @alice',
    });
    const comment = await flock.call<{ id: string }>(
      'POST',
      `/posts/${post.body.id}/comments`,
      bob.accessToken,
      {
        text: 'a comment',
      },
    );
    ids = [alice.user.id, bob.user.id, post.body.id, comment.body.id, 'fuzz'];
  }, 240_000);

  afterAll(() => flock?.stop(), 30_000);

  test('when every operation gets generated hostile requests, then no 5xx, none slower than 2 s, every error problem+json, and every service still healthy', async () => {
    const paths = apiDocument().paths as Record<string, Record<string, Operation>>;
    const operations = Object.entries(paths)
      .flatMap(([route, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ route, method, operation })),
      )
      .sort(
        (a, b) =>
          Number(ENDS_SESSION.has(`${a.method} ${a.route}`)) -
          Number(ENDS_SESSION.has(`${b.method} ${b.route}`)),
      );
    const base = `${flock.gatewayUrl}/api/flock/v1`;
    const tasks = operations.flatMap(({ route, method, operation }, index) =>
      fc
        .sample(hostileRequests(route, method, operation, { ids, token: alice.accessToken }), {
          seed: SEED + index,
          numRuns: REQUESTS_PER_OPERATION,
        })
        .map((request) => () => send(base, method, request)),
    );

    const outcomes = await inParallel(tasks, IN_FLIGHT);

    const histogram: Record<string, number> = {};
    for (const { status } of outcomes) histogram[status] = (histogram[status] ?? 0) + 1;
    process.stdout.write(
      `fuzz: ${outcomes.length} requests over ${operations.length} operations (seed ${SEED}); ` +
        `statuses ${JSON.stringify(histogram)}; slowest ${Math.max(...outcomes.map((o) => o.ms)).toFixed(0)} ms\n`,
    );
    const bad = outcomes.filter((o) => o.status >= 500 || o.ms > SLOWEST_MS || !o.problem);
    expect(bad.slice(0, 20)).toEqual([]);
    expect(operations.length).toBe(APIS.flatMap(publicRoutes).length);

    for (const app of flock.platform.apps) {
      const ready = await fetch(`${app.url}/readyz`);
      expect({ app: app.appId, status: ready.status }).toEqual({ app: app.appId, status: 200 });
    }
    for (const list of ['/posts', '/users', `/posts/${ids[2]}/comments`, '/search/posts?q=hi'])
      expect({ list, status: (await flock.call('GET', list)).status }).toEqual({
        list,
        status: 200,
      });
  }, 240_000);
});
