/**
 * NetworkPolicies: every platform pod accepts traffic only from pods of the same platform
 * (sidecar-to-sidecar invocation), and the gateway additionally accepts its app port from
 * anywhere. Policies add up, so together only the gateway is reachable from outside.
 */
import type { KubeObject, SocialPlatform } from '../types.js';
import { APP_PORT, PLATFORM_LABEL, childMeta, enabledServices, serviceSelector } from './meta.js';

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
  if (!enabledServices(platform).includes('gateway')) return [internal];
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
  return [internal, gateway];
}
