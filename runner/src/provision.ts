import {
  ACCESS_REVOKED_TOPIC,
  EVENTS,
  LIVE_NOTIFICATIONS_TOPIC,
  LIVE_TIMELINE_TOPIC,
} from '@flock/kit';
import { connect } from 'nats';
import { ensureStream, plainValue as plain, type ComponentDefinition } from '@flock/sidecar';

/** Every topic Flock publishes: the event catalog and the broadcast notices. */
export const FLOCK_TOPICS: readonly string[] = [
  ...Object.keys(EVENTS),
  LIVE_NOTIFICATIONS_TOPIC,
  LIVE_TIMELINE_TOPIC,
  ACCESS_REVOKED_TOPIC,
];

/**
 * What a broker needs before real daprd can use it. daprd's JetStream component publishes only
 * to subjects some stream covers and subscribes only to existing streams (Flock's sidecar creates
 * them on first use), so the runner creates them first, exactly as the sidecar would.
 */
export async function provisionBrokers(components: readonly ComponentDefinition[]): Promise<void> {
  for (const component of components.filter((c) => c.type === 'pubsub.jetstream')) {
    const url = plain(component, 'natsURL');
    if (!url) continue; // from a secret: provisioning is the operator's or the team's job there
    const nc = await connect({ servers: url, name: 'flock runner: provisioning' });
    try {
      const jsm = await nc.jetstreamManager();
      const settings = {
        streamName: plain(component, 'streamName'),
        memoryStorage: plain(component, 'memoryStorage') === 'true',
        replicas: undefined,
      };
      for (const topic of FLOCK_TOPICS) await ensureStream(jsm, settings, topic);
    } finally {
      await nc.close();
    }
  }
}
