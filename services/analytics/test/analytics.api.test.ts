import { randomUUID } from 'node:crypto';
import { parseComponents, type Sidecar } from '@flock/sidecar';
import { componentYaml } from '@flock/sidecar';
import { dropTable, findRealPostgres } from '@flock/testing';
import { analyticsConfigSchema } from '../src/analytics.config.js';
import { buildService } from '../src/analytics.service.js';
import {
  describeIfReachable,
  eventually,
  startServiceUnderTest,
  type ServiceUnderTest,
} from '@flock/testing';

const realPostgres = await findRealPostgres();
// A table of this run's own: daprd's Postgres v2 (and the sidecar, as daprd) records each table
// prefix's migration level in the shared dapr_metadata table, so a dropped table of a reused
// prefix would not be created again.
const TABLE_PREFIX = `analytics_test_${randomUUID().slice(0, 8)}_`;

const pubsub = componentYaml('pubsub', 'pubsub.in-memory', {
  deliveryMaxRetries: '5',
  deliveryInitialInterval: '20ms',
  deliveryMaxInterval: '200ms',
});

const backends = [
  {
    name: 'Postgres state (real Postgres)',
    reachable: realPostgres !== undefined,
    what: 'Postgres on 127.0.0.1:5432',
    async store() {
      return componentYaml(
        'analytics-store',
        'state.postgresql',
        { connectionString: realPostgres!, tablePrefix: TABLE_PREFIX },
        'v2',
      );
    },
  },
  {
    name: 'in-memory state',
    reachable: true,
    what: 'nothing',
    store: async () => componentYaml('analytics-store', 'state.in-memory'),
  },
];

afterAll(async () => {
  if (realPostgres) await dropTable(realPostgres, `${TABLE_PREFIX}state`);
});

/** "Now" for the service: the default window is the 30 days ending 2026-03-15. */
const NOW = new Date('2026-03-15T12:00:00.000Z');

interface Report {
  userId: string;
  from: string;
  to: string;
  days: Array<Record<string, unknown> & { date: string; actions: Record<string, number> }>;
  totals: Record<string, unknown> & { actions: Record<string, number> };
}

for (const backend of backends) {
  describeIfReachable(backend.reachable, backend.what)(`analytics on ${backend.name}`, () => {
    let sidecar: Sidecar;
    let service: ServiceUnderTest<ReturnType<typeof buildService>>;

    beforeAll(async () => {
      service = await startServiceUnderTest({
        appId: 'analytics',
        configSchema: analyticsConfigSchema,
        build: (config, deps) => buildService(config, { ...deps, clock: { now: () => NOW } }),
        components: parseComponents([await backend.store(), pubsub].join('---\n'), 'test.yaml'),
      });
      sidecar = service.sidecar;
    }, 60_000);

    afterAll(async () => {
      await service?.stop();
    });

    const as = (userId: string) => ({ 'x-flock-user-id': userId, 'x-flock-username': 'someone' });
    const record = (
      userId: string | undefined,
      body: unknown,
      headers: Record<string, string> = {},
    ) =>
      fetch(`${service.url}/analytics/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(userId ? as(userId) : {}),
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const report = async (callerId: string | undefined, userId: string, query = '') => {
      const response = await fetch(`${service.url}/analytics/users/${userId}${query}`, {
        headers: callerId ? as(callerId) : {},
      });
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        body: (await response.json()) as Report,
      };
    };
    const day = (r: Report, date: string) => r.days.find((d) => d.date === date)!;
    const publish = async (topic: string, data: unknown, id?: string) => {
      const query = id ? `?metadata.cloudevent.id=${encodeURIComponent(id)}` : '';
      const response = await fetch(`${sidecar.url}/v1.0/publish/pubsub/${topic}${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(data),
      });
      expect(response.status).toBe(204);
    };

    test('when there is no caller, then recording and reading answer 401', async () => {
      expect((await record(undefined, { action: 'post.viewed' })).status).toBe(401);
      expect((await report(undefined, randomUUID())).status).toBe(401);
    });

    test("when a user reads another user's analytics, then 403", async () => {
      const response = await report(randomUUID(), randomUUID());
      expect(response.status).toBe(403);
      expect(response.type).toMatch(/application\/problem\+json/);
    });

    test('when the action or its fields are invalid, then 400 problem+json', async () => {
      const ann = randomUUID();
      for (const body of [
        { action: 'post.liked' },
        { action: 'PROFILE.VIEWED' },
        {},
        { action: 'post.viewed', at: 'yesterday' },
        { action: 'post.viewed', at: '2026-03-20T00:00:00.000Z' },
        { action: 'post.viewed', at: '2024-01-01T00:00:00.000Z' },
        { action: 'post.viewed', subjectId: '' },
        { action: 'post.viewed', extra: true },
        ['post.viewed'],
        '{not json',
      ]) {
        const response = await record(ann, body);
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
        expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
      expect(
        (await record(ann, { action: 'post.viewed' }, { 'idempotency-key': 'has spaces' })).status,
      ).toBe(400);
    });

    test('when dates or ranges are bad, then 400', async () => {
      const ann = randomUUID();
      for (const query of [
        '?from=yesterday',
        '?from=2026-02-30',
        '?to=2026-13-01',
        '?from=2026-03-10&to=2026-03-01',
        '?from=2025-01-01&to=2026-03-01',
        '?from=2026-03-01T00:00:00Z',
        '?from=2026-03-01&from=2026-03-02',
      ]) {
        expect({ query, status: (await report(ann, ann, query)).status }).toEqual({
          query,
          status: 400,
        });
      }
      expect((await report(ann, 'not-a-uuid')).status).toBe(400);
      // 366 days is the longest window.
      expect((await report(ann, ann, '?from=2025-03-15&to=2026-03-15')).status).toBe(200);
      expect((await report(ann, ann, '?from=2025-03-14&to=2026-03-15')).status).toBe(400);
    });

    test('when a user records actions, then 202 and their day counts them by type; the default window is the last 30 days', async () => {
      const ann = randomUUID();
      const accepted = await record(ann, { action: 'profile.viewed', subjectId: randomUUID() });
      expect(accepted.status).toBe(202);
      expect(await accepted.json()).toEqual({ action: 'profile.viewed', date: '2026-03-15' });
      expect((await record(ann, { action: 'profile.viewed' })).status).toBe(202);
      expect(
        (await record(ann, { action: 'search.performed', at: '2026-03-01T23:59:59.999Z' })).status,
      ).toBe(202);

      const own = await report(ann, ann);
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ userId: ann, from: '2026-02-14', to: '2026-03-15' });
      expect(own.body.days).toHaveLength(30);
      expect(day(own.body, '2026-03-15').actions).toEqual({ 'profile.viewed': 2 });
      expect(day(own.body, '2026-03-01').actions).toEqual({ 'search.performed': 1 });
      expect(day(own.body, '2026-03-02')).toMatchObject({ posts: 0, actions: {} });
      expect(own.body.totals.actions).toEqual({ 'profile.viewed': 2, 'search.performed': 1 });

      const narrow = await report(ann, ann, '?from=2026-03-01&to=2026-03-01');
      expect(narrow.body.days.map((d) => d.date)).toEqual(['2026-03-01']);
    });

    test('when the same Idempotency-Key is sent twice, then the action counts once', async () => {
      const ann = randomUUID();
      const key = randomUUID();
      for (let i = 0; i < 2; i++)
        expect(
          (await record(ann, { action: 'link.clicked' }, { 'idempotency-key': key })).status,
        ).toBe(202);
      expect(day((await report(ann, ann)).body, '2026-03-15').actions).toEqual({
        'link.clicked': 1,
      });
    });

    test('when many actions of one user race, then every one is counted (etag retries)', async () => {
      const ann = randomUUID();
      const statuses = await Promise.all(
        Array.from({ length: 20 }, () =>
          record(ann, { action: 'timeline.viewed' }).then((r) => r.status),
        ),
      );
      expect(statuses.every((s) => s === 202)).toBe(true);
      expect(day((await report(ann, ann)).body, '2026-03-15').actions).toEqual({
        'timeline.viewed': 20,
      });
    });

    test('when platform events arrive, then posts, likes, comments and followers are counted for the right users and days', async () => {
      const [ann, bob] = [randomUUID(), randomUUID()];
      const postId = randomUUID();
      await publish('user.registered', {
        userId: ann,
        username: 'ann',
        email: 'ann@example.com',
        at: '2026-03-10T08:00:00.000Z',
      });
      await publish('post.created', {
        postId,
        authorId: ann,
        text: 'hi',
        hashtags: [],
        mentions: [],
        createdAt: '2026-03-10T09:00:00.000Z',
      });
      await publish('like.created', {
        postId,
        postAuthorId: ann,
        userId: bob,
        at: '2026-03-11T10:00:00.000Z',
      });
      await publish('comment.created', {
        commentId: randomUUID(),
        postId,
        postAuthorId: ann,
        authorId: bob,
        text: 'nice',
        at: '2026-03-11T11:00:00.000Z',
      });
      await publish('follow.created', {
        followerId: bob,
        followeeId: ann,
        at: '2026-03-11T12:00:00.000Z',
      });
      await publish('follow.deleted', {
        followerId: bob,
        followeeId: ann,
        at: '2026-03-12T12:00:00.000Z',
      });
      await publish('like.deleted', {
        postId,
        postAuthorId: ann,
        userId: bob,
        at: '2026-03-12T13:00:00.000Z',
      });

      const annReport = await eventually(async () => {
        const r = (await report(ann, ann)).body;
        const [d10, d11, d12] = ['2026-03-10', '2026-03-11', '2026-03-12'].map((d) => day(r, d)!);
        const all =
          d10!.posts === 1 &&
          d11!.likesReceived === 1 &&
          d11!.commentsReceived === 1 &&
          d11!.followersGained === 1 &&
          d12!.followersLost === 1;
        return all ? r : undefined;
      });
      expect(day(annReport, '2026-03-10')).toMatchObject({ posts: 1 });
      expect(day(annReport, '2026-03-11')).toMatchObject({
        likesReceived: 1,
        commentsReceived: 1,
        followersGained: 1,
        likesGiven: 0,
      });
      expect(annReport.totals).toMatchObject({
        posts: 1,
        likesReceived: 1,
        commentsReceived: 1,
        followersGained: 1,
        followersLost: 1,
      });
      const bobReport = await eventually(async () => {
        const r = (await report(bob, bob)).body;
        return day(r, '2026-03-11').comments === 1 ? r : undefined;
      });
      expect(day(bobReport, '2026-03-11')).toMatchObject({
        likesGiven: 1,
        comments: 1,
        followersGained: 0,
      });
    });

    test('when an event is redelivered with the same id, then it is counted once', async () => {
      const ann = randomUUID();
      const id = randomUUID();
      const post = (postId: string) => ({
        postId,
        authorId: ann,
        text: 'again',
        hashtags: [],
        mentions: [],
        createdAt: '2026-03-14T09:00:00.000Z',
      });
      await publish('post.created', post(randomUUID()), id);
      await publish('post.created', post(randomUUID()), id);
      // A later, distinct event marks the point by which both deliveries have been handled.
      await publish('post.created', {
        ...post(randomUUID()),
        createdAt: '2026-03-15T09:00:00.000Z',
      });
      await eventually(async () =>
        day((await report(ann, ann)).body, '2026-03-15').posts === 1 ? true : undefined,
      );
      expect(day((await report(ann, ann)).body, '2026-03-14').posts).toBe(1);
    });
  });
}
