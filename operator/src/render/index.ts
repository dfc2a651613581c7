/**
 * Everything a SocialPlatform turns into, in apply order (identities and config before the
 * workloads that use them). Pure: the reconciler and the offline `render` command share it.
 */
import { createHash } from 'node:crypto';
import type { KubeObject, SocialPlatform } from '../types.js';
import * as components from './components.js';
import * as configuration from './configuration.js';
import * as deployment from './deployment.js';
import * as hpa from './hpa.js';
import * as ingress from './ingress.js';
import { HASH_ANNOTATION, type ApiCaps } from './meta.js';
import * as networkpolicy from './networkpolicy.js';
import * as pdb from './pdb.js';
import * as resiliency from './resiliency.js';
import * as service from './service.js';
import * as serviceaccount from './serviceaccount.js';

const RENDERERS = [
  serviceaccount,
  components,
  configuration,
  resiliency,
  service,
  deployment,
  hpa,
  pdb,
  networkpolicy,
  ingress,
];

/**
 * The hash of an object's rendered content, stored on it: when a field is dropped from the
 * desired state, the changed hash still marks the live object as out of date.
 */
function withHash(obj: KubeObject): KubeObject {
  const hash = createHash('sha256').update(JSON.stringify(obj)).digest('hex').slice(0, 16);
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: { ...obj.metadata.annotations, [HASH_ANNOTATION]: hash },
    },
  };
}

export function renderPlatform(platform: SocialPlatform, caps: ApiCaps): KubeObject[] {
  return RENDERERS.flatMap((r) => r.render(platform, caps)).map(withHash);
}

/** The kinds the operator owns, for watches, listing leftovers and RBAC. */
export function ownedKinds(caps: ApiCaps): { apiVersion: string; kind: string }[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount' },
    { apiVersion: 'v1', kind: 'Service' },
    { apiVersion: 'apps/v1', kind: 'Deployment' },
    { apiVersion: caps.hpa, kind: 'HorizontalPodAutoscaler' },
    { apiVersion: caps.pdb, kind: 'PodDisruptionBudget' },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
    { apiVersion: 'dapr.io/v1alpha1', kind: 'Component' },
    { apiVersion: 'dapr.io/v1alpha1', kind: 'Configuration' },
    { apiVersion: 'dapr.io/v1alpha1', kind: 'Resiliency' },
  ];
}

export { FALLBACK_CAPS, LATEST_CAPS, type ApiCaps } from './meta.js';
