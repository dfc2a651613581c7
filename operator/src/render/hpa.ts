/** A HorizontalPodAutoscaler per service with autoscaling enabled. */
import type { KubeObject, SocialPlatform } from '../api/types.js';
import { childMeta, enabledServices, workloadName } from './meta.js';

export function render(platform: SocialPlatform): KubeObject[] {
  return enabledServices(platform)
    .filter((svc) => platform.spec.services[svc]!.autoscaling.enabled)
    .map((svc) => {
      const a = platform.spec.services[svc]!.autoscaling;
      const name = workloadName(platform, svc);
      return {
        apiVersion: 'autoscaling/v2',
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
