/** Names, labels and ownership shared by every renderer. */
import {
  API_VERSION,
  KIND,
  SERVICE_NAMES,
  type ObjectMeta,
  type ServiceName,
  type SocialPlatform,
} from '../api/types.js';

export const MANAGED_BY = 'flock-operator';
export const PLATFORM_LABEL = 'flock.dev/platform';
export const SERVICE_LABEL = 'flock.dev/service';
export const HASH_ANNOTATION = 'flock.dev/spec-hash';
/** On pod templates: the Dapr objects the sidecar loaded at start; a change rolls the pods. */
export const DAPR_HASH_ANNOTATION = 'flock.dev/dapr-hash';
/** Every service listens here; Services map port 80 to it. */
export const APP_PORT = 3000;

/** Labels that find every child of a platform; the reconciler lists by them to delete leftovers. */
export function platformSelector(platform: SocialPlatform): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': MANAGED_BY, [PLATFORM_LABEL]: platform.metadata.name };
}

export function serviceSelector(
  platform: SocialPlatform,
  svc: ServiceName,
): Record<string, string> {
  return { [PLATFORM_LABEL]: platform.metadata.name, [SERVICE_LABEL]: svc };
}

/** Kubernetes object names are prefixed with the platform; Dapr app-ids stay the bare service names. */
export function workloadName(platform: SocialPlatform, svc: ServiceName): string {
  return `${platform.metadata.name}-${svc}`;
}

/**
 * Metadata for a child. The ownerReference makes the garbage collector delete children with the
 * platform; it is left out offline (`render` CLI) where the platform has no uid yet.
 */
export function childMeta(platform: SocialPlatform, name: string, svc?: ServiceName): ObjectMeta {
  const labels: Record<string, string> = {
    ...platformSelector(platform),
    'app.kubernetes.io/part-of': 'flock',
    ...(svc ? { [SERVICE_LABEL]: svc, 'app.kubernetes.io/name': svc } : {}),
  };
  const meta: ObjectMeta = { name, labels };
  if (platform.metadata.namespace) meta.namespace = platform.metadata.namespace;
  if (platform.metadata.uid) {
    meta.ownerReferences = [
      {
        apiVersion: API_VERSION,
        kind: KIND,
        name: platform.metadata.name,
        uid: platform.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  }
  return meta;
}

/** The services in the spec, in the canonical order. */
export function enabledServices(platform: SocialPlatform): ServiceName[] {
  return Object.keys(platform.spec.services ?? {}).filter((s): s is ServiceName =>
    (SERVICE_NAMES as readonly string[]).includes(s),
  );
}
