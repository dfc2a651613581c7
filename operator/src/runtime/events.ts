/**
 * Kubernetes Events on the SocialPlatform, so `kubectl describe sp` tells what the operator did
 * and why it stopped. Recording is best effort: a lost event must not fail a reconcile.
 */
import type { Logger } from '@flock/kit';
import type { Clock } from './clock.js';
import type { KubeClient } from './client.js';
import type { KubeObject } from '../api/types.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void>;
}

export function makeRecorder(client: KubeClient, clock: Clock, log: Logger): EventRecorder {
  return {
    async record(obj, type, reason, message) {
      const now = clock.now().toISOString();
      const { name, namespace, uid, resourceVersion } = obj.metadata;
      try {
        await client.createEvent({
          apiVersion: 'v1',
          kind: 'Event',
          metadata: {
            name: `${name}.${clock.now().getTime().toString(16)}${Math.random().toString(16).slice(2, 6)}`,
            namespace,
          },
          involvedObject: {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            name,
            namespace,
            uid,
            resourceVersion,
          },
          type,
          reason,
          message: message.slice(0, 1000),
          source: { component: 'flock-operator' },
          reportingComponent: 'flock-operator',
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        });
      } catch (err) {
        log.warn({ err, reason }, 'Event not recorded');
      }
    },
  };
}
