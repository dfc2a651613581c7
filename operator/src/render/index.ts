/**
 * Everything a SocialPlatform turns into, in apply order (identities and config before the
 * workloads that use them). Pure: the reconciler and the offline `render` command share it.
 */
import { createHash } from 'node:crypto';
import type { KubeObject, SocialPlatform } from '../api/types.js';
import * as components from './components.js';
import * as configuration from './configuration.js';
import * as deployment from './deployment.js';
import { DAPR_APP_ID } from './deployment.js';
import * as hpa from './hpa.js';
import * as ingress from './ingress.js';
import { DAPR_HASH_ANNOTATION, HASH_ANNOTATION } from './meta.js';
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
  const hash = digest(obj);
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: { ...obj.metadata.annotations, [HASH_ANNOTATION]: hash },
    },
  };
}

const digest = (x: unknown): string =>
  createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);

/**
 * daprd reads its Components, Configuration and Resiliency once, at start (Flock does not turn
 * on Dapr's hot reload). So each pod template carries a hash of the Dapr objects its sidecar
 * loads: a backend change alters the template and the Deployment rolls its pods.
 */
function withDaprHash(objects: KubeObject[]): KubeObject[] {
  const dapr = objects.filter((o) => o.apiVersion.startsWith('dapr.io/'));
  return objects.map((o) => {
    if (o.kind !== 'Deployment') return o;
    const spec = o.spec as { template: { metadata: { annotations: Record<string, string> } } };
    const appId = spec.template.metadata.annotations[DAPR_APP_ID];
    const loaded = dapr.filter((d) => {
      const scopes = d.scopes as string[] | undefined;
      return !scopes || scopes.length === 0 || (appId !== undefined && scopes.includes(appId));
    });
    const hash = digest(
      loaded.map(({ kind, metadata, spec, scopes }) => [kind, metadata.name, spec, scopes]),
    );
    const annotations = { ...spec.template.metadata.annotations, [DAPR_HASH_ANNOTATION]: hash };
    return {
      ...o,
      spec: {
        ...spec,
        template: { ...spec.template, metadata: { ...spec.template.metadata, annotations } },
      },
    };
  });
}

export function renderPlatform(platform: SocialPlatform): KubeObject[] {
  return withDaprHash(RENDERERS.flatMap((r) => r.render(platform))).map(withHash);
}

/**
 * The kinds the operator owns, for watches, listing leftovers and RBAC. Kubernetes 1.30+ serves
 * HPAs as autoscaling/v2 and PDBs as policy/v1 only (v2beta2 went in 1.26, v1beta1 in 1.25).
 */
export const OWNED_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'dapr.io/v1alpha1', kind: 'Component' },
  { apiVersion: 'dapr.io/v1alpha1', kind: 'Configuration' },
  { apiVersion: 'dapr.io/v1alpha1', kind: 'Resiliency' },
];
