/**
 * A PodDisruptionBudget per service. `maxUnavailable: 1` rather than `minAvailable` so a
 * one-replica service never blocks a node drain, while a scaled-out one keeps serving.
 */
import type { KubeObject, SocialPlatform } from '../api/types.js';
import { childMeta, enabledServices, serviceSelector, workloadName } from './meta.js';

export function render(platform: SocialPlatform): KubeObject[] {
  return enabledServices(platform).map((svc) => ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMeta(platform, workloadName(platform, svc), svc),
    spec: { maxUnavailable: 1, selector: { matchLabels: serviceSelector(platform, svc) } },
  }));
}
