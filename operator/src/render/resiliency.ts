/**
 * One Dapr Resiliency for the platform: bounded retries with backoff and a circuit breaker on
 * service invocation, so one slow service cannot exhaust its callers; patient retries on
 * pub/sub delivery, because a redelivered event is cheap and consumers are idempotent.
 */
import { APP_IDS, PUBSUB } from '@flock/kit';
import type { KubeObject, SocialPlatform } from '../api/types.js';
import { childMeta, enabledServices } from './meta.js';

export function render(platform: SocialPlatform): KubeObject[] {
  const apps = Object.fromEntries(
    enabledServices(platform).map((svc) => [
      APP_IDS[svc],
      { timeout: 'general', retry: 'invoke', circuitBreaker: 'trip' },
    ]),
  );
  return [
    {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Resiliency',
      metadata: childMeta(platform, `${platform.metadata.name}-resiliency`),
      spec: {
        policies: {
          timeouts: { general: '5s' },
          retries: {
            invoke: { policy: 'exponential', maxInterval: '2s', maxRetries: 3 },
            delivery: { policy: 'exponential', maxInterval: '30s', maxRetries: 10 },
          },
          circuitBreakers: {
            trip: {
              maxRequests: 1,
              interval: '10s',
              timeout: '30s',
              trip: 'consecutiveFailures > 5',
            },
          },
        },
        targets: { apps, components: { [PUBSUB]: { inbound: { retry: 'delivery' } } } },
      },
    },
  ];
}
