/**
 * The platform's status from what the cluster reports: per-service replicas from the live
 * Deployments, and the Ready/Progressing/Degraded conditions.
 */
import { DEGRADED, PROGRESSING, READY, setCondition } from './conditions.js';
import { enabledServices, workloadName } from './render/meta.js';
import type {
  KubeObject,
  ServiceName,
  ServiceStatus,
  SocialPlatform,
  SocialPlatformStatus,
} from './types.js';

interface DeploymentLike {
  metadata: { generation?: number };
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; readyReplicas?: number };
}

function serviceStatus(d: DeploymentLike | undefined): ServiceStatus & { ready: boolean } {
  const replicas = d?.spec?.replicas ?? 1;
  const readyReplicas = d?.status?.readyReplicas ?? 0;
  // A status written for an older generation describes the previous rollout.
  const current = (d?.status?.observedGeneration ?? -1) >= (d?.metadata.generation ?? 0);
  return { replicas, readyReplicas, ready: !!d && current && readyReplicas >= replicas };
}

/**
 * @param problems what makes the spec unsatisfiable (empty when fine)
 * @param deployments live Deployments by name
 */
export function computeStatus(
  platform: SocialPlatform,
  problems: string[],
  deployments: Map<string, KubeObject>,
  now: Date,
): SocialPlatformStatus {
  const generation = platform.metadata.generation;
  const services: Partial<Record<ServiceName, ServiceStatus>> = {};
  const waiting: string[] = [];
  for (const svc of enabledServices(platform)) {
    const { ready, ...s } = serviceStatus(
      deployments.get(workloadName(platform, svc)) as DeploymentLike | undefined,
    );
    services[svc] = s;
    if (!ready) waiting.push(svc);
  }
  const total = Object.keys(services).length;
  const g = generation === undefined ? {} : { observedGeneration: generation };
  let conditions = platform.status?.conditions ?? [];
  const set = (type: string, status: 'True' | 'False', reason: string, message: string) => {
    conditions = setCondition(conditions, { type, status, reason, message, ...g }, now);
  };
  if (problems.length > 0) {
    set(DEGRADED, 'True', 'InvalidSpec', problems.join('; '));
    set(PROGRESSING, 'False', 'InvalidSpec', 'Waiting for the spec to be fixed');
    set(READY, 'False', 'InvalidSpec', 'The spec cannot be satisfied; see the Degraded condition');
  } else {
    set(DEGRADED, 'False', 'AsExpected', 'All objects applied');
    if (waiting.length > 0) {
      set(
        PROGRESSING,
        'True',
        'RollingOut',
        `Waiting for ready replicas of: ${waiting.join(', ')}`,
      );
      set(READY, 'False', 'ServicesNotReady', `${total - waiting.length}/${total} services ready`);
    } else {
      set(PROGRESSING, 'False', 'RolloutComplete', 'Every service has its ready replicas');
      set(READY, 'True', 'AllServicesReady', `${total}/${total} services ready`);
    }
  }
  return { ...g, conditions, services, servicesReady: `${total - waiting.length}/${total}` };
}
