import { Dapr, baseConfigSchema, createLogger, loadConfig } from '@flock/kit';
import { startSidecar, type Sidecar } from '@flock/sidecar';
import { newNotificationId } from '../src/notifications.ids.js';
import type { Notification } from '../src/notifications.schemas.js';
import { DaprInboxRepository } from '../src/notifications.store.js';
import { testComponents } from '@flock/testing';

/** Retention against a real sidecar's state store, with the clock in the test's hands. */
describe('inbox retention', () => {
  const DAY = 24 * 3600;
  let sidecar: Sidecar;
  let dapr: Dapr;
  let now = Date.parse('2026-06-01T00:00:00Z');
  const clock = { now: () => new Date(now) };

  beforeAll(async () => {
    sidecar = await startSidecar({
      appId: 'notifications',
      httpPort: 0,
      components: testComponents('notifications-store'),
      logLevel: 'silent',
    });
    dapr = new Dapr(
      loadConfig(baseConfigSchema, {
        APP_ID: 'notifications',
        DAPR_HTTP_PORT: String(sidecar.port),
      }),
      createLogger('test', 'silent'),
    );
  });

  afterAll(async () => {
    await dapr?.close();
    await sidecar?.stop();
  });

  const at = (ms: number): Notification => ({
    id: newNotificationId(ms),
    type: 'follow',
    actorId: 'bob',
    createdAt: new Date(ms).toISOString(),
    read: false,
  });

  test('when notifications pass the retention age, then reads drop them and the inbox expires with its newest item', async () => {
    const repo = new DaprInboxRepository(
      dapr.state('notifications-store'),
      { ttlSeconds: 90 * DAY, cap: 3 },
      clock,
    );
    const old = at(now - 89 * DAY * 1000);
    await repo.addOnce('e-old', [{ userId: 'alice', notification: old }]);
    const fresh = at(now);
    await repo.addOnce('e-new', [{ userId: 'alice', notification: fresh }]);
    expect((await repo.inbox('alice')).map((n) => n.id)).toEqual([fresh.id, old.id]);

    const response = await fetch(`${sidecar.url}/v1.0/state/notifications-store/inbox:alice`);
    const expires = Date.parse(response.headers.get('metadata.ttlexpiretime') ?? '');
    // the store's TTL runs from the real clock: about 90 days from the newest item's write
    expect(Math.abs(expires - (Date.now() + 90 * DAY * 1000))).toBeLessThan(60_000);

    now += 2 * DAY * 1000; // the old one is now 91 days old
    expect((await repo.inbox('alice')).map((n) => n.id)).toEqual([fresh.id]);
  });

  test('when more arrive than the cap, then the oldest fall off', async () => {
    const repo = new DaprInboxRepository(
      dapr.state('notifications-store'),
      { ttlSeconds: 90 * DAY, cap: 3 },
      clock,
    );
    const items = [1, 2, 3, 4].map((i) => at(now + i));
    for (const [i, n] of items.entries())
      await repo.addOnce(`cap-${i}`, [{ userId: 'carol', notification: n }]);
    expect((await repo.inbox('carol')).map((n) => n.id)).toEqual(
      items
        .slice(1)
        .reverse()
        .map((n) => n.id),
    );
  });
});
