/**
 * A PodDisruptionBudget per service. `maxUnavailable: 1` rather than `minAvailable` so a
 * one-replica service never blocks a node drain, while a scaled-out one keeps serving.
 */
import type { KubeObject, SocialPlatform } from '../types.js';
import { childMeta, enabledServices, serviceSelector, workloadName, type ApiCaps } from './meta.js';

export function render(platform: SocialPlatform, caps: ApiCaps): KubeObject[] {
  return enabledServices(platform).map((svc) => ({
    apiVersion: caps.pdb,
    kind: 'PodDisruptionBudget',
    metadata: childMeta(platform, workloadName(platform, svc), svc),
    // policy/v1beta1 treats an empty selector as "no pods"; ours is never empty.
    spec: { maxUnavailable: 1, selector: { matchLabels: serviceSelector(platform, svc) } },
  }));
}
