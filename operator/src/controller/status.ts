/**
 * The platform's status from what the cluster reports: per-service replicas from the live
 * Deployments, and the Ready/Progressing/Degraded conditions. Degraded carries the reason of
 * the first problem and every problem's sentence; a stuck rollout is a problem of its own.
 */
import { DEGRADED, PROGRESSING, READY, setCondition } from './conditions.js';
import { REASONS, type Problem } from './problems.js';
import { enabledServices, workloadName } from '../render/meta.js';
import type {
  KubeObject,
  ServiceName,
  ServiceStatus,
  SocialPlatform,
  SocialPlatformStatus,
} from '../api/types.js';

interface DeploymentLike {
  metadata: { name: string; generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    readyReplicas?: number;
    conditions?: { type: string; status: string; reason?: string }[];
  };
}

/** The deployment controller gave up waiting for new pods (spec.progressDeadlineSeconds). */
const stuck = (d: DeploymentLike | undefined): boolean =>
  !!d?.status?.conditions?.some(
    (c) =>
      c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
  );

function serviceStatus(d: DeploymentLike | undefined): ServiceStatus & { ready: boolean } {
  const replicas = d?.spec?.replicas ?? 1;
  const readyReplicas = d?.status?.readyReplicas ?? 0;
  // A status written for an older generation describes the previous rollout.
  const current = (d?.status?.observedGeneration ?? -1) >= (d?.metadata.generation ?? 0);
  return { replicas, readyReplicas, ready: !!d && current && readyReplicas >= replicas };
}

/**
 * @param found what keeps the platform from its spec (empty when nothing); stuck rollouts are added here
 * @param deployments live Deployments by name
 */
export function computeStatus(
  platform: SocialPlatform,
  found: Problem[],
  deployments: Map<string, KubeObject>,
  now: Date,
): SocialPlatformStatus {
  const generation = platform.metadata.generation;
  const services: Partial<Record<ServiceName, ServiceStatus>> = {};
  const waiting: string[] = [];
  const stalled: string[] = [];
  for (const svc of enabledServices(platform)) {
    const d = deployments.get(workloadName(platform, svc)) as DeploymentLike | undefined;
    const { ready, ...s } = serviceStatus(d);
    services[svc] = s;
    if (!ready) waiting.push(svc);
    if (!ready && stuck(d)) stalled.push(d!.metadata.name);
  }
  const problems = [...found];
  if (stalled.length > 0)
    problems.push({
      reason: REASONS.rolloutStuck,
      message: `The rollout of ${stalled.join(', ')} exceeded its progress deadline (ProgressDeadlineExceeded); check why their pods do not become ready (kubectl describe pods).`,
    });
  const total = Object.keys(services).length;
  const readyCount = `${total - waiting.length}/${total}`;
  const g = generation === undefined ? {} : { observedGeneration: generation };
  let conditions = platform.status?.conditions ?? [];
  const set = (type: string, status: 'True' | 'False', reason: string, message: string) => {
    conditions = setCondition(conditions, { type, status, reason, message, ...g }, now);
  };
  const first = problems[0];
  if (first) set(DEGRADED, 'True', first.reason, problems.map((p) => p.message).join(' '));
  else set(DEGRADED, 'False', 'AsExpected', 'All objects applied');
  if (first?.reason === REASONS.specInvalid)
    set(PROGRESSING, 'False', first.reason, 'Waiting for the spec to be fixed');
  else if (stalled.length > 0)
    set(PROGRESSING, 'False', REASONS.rolloutStuck, `Rollout stalled for: ${stalled.join(', ')}`);
  else if (waiting.length > 0)
    set(PROGRESSING, 'True', 'RollingOut', `Waiting for ready replicas of: ${waiting.join(', ')}`);
  else set(PROGRESSING, 'False', 'RolloutComplete', 'Every service has its ready replicas');
  if (first)
    set(READY, 'False', first.reason, `${readyCount} services ready; see the Degraded condition`);
  else if (waiting.length > 0)
    set(READY, 'False', 'ServicesNotReady', `${readyCount} services ready`);
  else set(READY, 'True', 'AllServicesReady', `${readyCount} services ready`);
  return { ...g, conditions, services, servicesReady: readyCount };
}
