/**
 * NetworkPolicies: every platform pod accepts traffic only from pods of the same platform
 * (sidecar-to-sidecar invocation), and the gateway additionally accepts its app port from
 * anywhere. Policies add up, so together only the gateway is reachable from outside, plus the
 * ports the chart's PodMonitor scrapes, from Prometheus's namespace only.
 */
import type { KubeObject, SocialPlatform } from '../api/types.js';
import { APP_PORT, PLATFORM_LABEL, childMeta, enabledServices, serviceSelector } from './meta.js';

/** Where daprd serves its metrics (its injector names the container port `dapr-metrics`). */
const DAPR_METRICS_PORT = 9090;

export function render(platform: SocialPlatform): KubeObject[] {
  const name = platform.metadata.name;
  const internal: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(platform, `${name}-internal`),
    spec: {
      podSelector: { matchLabels: { [PLATFORM_LABEL]: name } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { [PLATFORM_LABEL]: name } } }] }],
    },
  };
  // The app's /metrics shares the app port; only Prometheus's namespace gets it from outside.
  const scrape: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(platform, `${name}-metrics`),
    spec: {
      podSelector: { matchLabels: { [PLATFORM_LABEL]: name } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: {
                  'kubernetes.io/metadata.name': platform.spec.observability.prometheusNamespace,
                },
              },
            },
          ],
          ports: [APP_PORT, DAPR_METRICS_PORT].map((port) => ({ protocol: 'TCP', port })),
        },
      ],
    },
  };
  if (!enabledServices(platform).includes('gateway')) return [internal, scrape];
  const gateway: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(platform, `${name}-gateway-public`, 'gateway'),
    spec: {
      podSelector: { matchLabels: serviceSelector(platform, 'gateway') },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: APP_PORT }] }],
    },
  };
  return [internal, scrape, gateway];
}
