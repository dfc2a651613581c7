/**
 * Handing `spec.replicas` to an HPA without a dip. With autoscaling on, the operator stops
 * sending the field; under server-side apply a field its only manager stops sending is removed,
 * and the Deployment falls back to 1 replica until the HPA's next sync. So just before that
 * apply, a second field manager takes the field at its current value (raised to the HPA's
 * minimum); the operator's apply then leaves it there and the HPA scales from it. This is the
 * transfer the Kubernetes server-side apply documentation describes for HPAs.
 */
import type { KubeClient } from '../runtime/client.js';
import { SERVICE_LABEL } from '../render/meta.js';
import {
  FIELD_MANAGER,
  type KubeObject,
  type ServiceName,
  type SocialPlatform,
} from '../api/types.js';

/** Holds `spec.replicas` between the operator letting go and the HPA's first write. */
export const HANDOVER_MANAGER = 'flock-operator-handover';

interface ManagedFields {
  manager?: string;
  operation?: string;
  fieldsV1?: { 'f:spec'?: Record<string, unknown> };
}

const operatorOwnsReplicas = (live: KubeObject): boolean =>
  ((live.metadata as { managedFields?: ManagedFields[] }).managedFields ?? []).some(
    (f) =>
      f.manager === FIELD_MANAGER &&
      f.operation === 'Apply' &&
      f.fieldsV1?.['f:spec']?.['f:replicas'] !== undefined,
  );

export async function handOverReplicas(
  platform: SocialPlatform,
  desired: KubeObject,
  live: KubeObject | undefined,
  client: KubeClient,
): Promise<void> {
  if (desired.kind !== 'Deployment' || !live) return;
  if ((desired.spec as { replicas?: number }).replicas !== undefined) return;
  if (!operatorOwnsReplicas(live)) return;
  const svc = desired.metadata.labels?.[SERVICE_LABEL] as ServiceName | undefined;
  const min = (svc && platform.spec.services[svc]?.autoscaling.minReplicas) || 1;
  const replicas = Math.max((live.spec as { replicas?: number }).replicas ?? 1, min);
  const { apiVersion, kind, metadata } = desired;
  await client.apply(
    {
      apiVersion,
      kind,
      metadata: { name: metadata.name, namespace: metadata.namespace },
      spec: { replicas },
    },
    true,
    HANDOVER_MANAGER,
  );
}
