/**
 * A HorizontalPodAutoscaler per service with autoscaling enabled. autoscaling/v2 and v2beta2
 * share this shape, so only the apiVersion follows discovery.
 */
import type { KubeObject, SocialPlatform } from '../types.js';
import { childMeta, enabledServices, workloadName, type ApiCaps } from './meta.js';

export function render(platform: SocialPlatform, caps: ApiCaps): KubeObject[] {
  return enabledServices(platform)
    .filter((svc) => platform.spec.services[svc]!.autoscaling.enabled)
    .map((svc) => {
      const a = platform.spec.services[svc]!.autoscaling;
      const name = workloadName(platform, svc);
      return {
        apiVersion: caps.hpa,
        kind: 'HorizontalPodAutoscaler',
        metadata: childMeta(platform, name, svc),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: a.minReplicas,
          maxReplicas: a.maxReplicas,
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: {
                  type: 'Utilization',
                  averageUtilization: a.targetCPUUtilizationPercentage,
                },
              },
            },
          ],
        },
      };
    });
}
