/**
 * Validators for everything the operator renders: kubernetes-models (Kubernetes 1.27 schemas)
 * for built-in kinds, ajv with Dapr's own CRD schemas (from the pinned dapr module: scripts/dapr/sync-crds.sh) for Dapr kinds.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler as HpaV2 } from 'kubernetes-models/autoscaling/v2';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget as PdbV1 } from 'kubernetes-models/policy/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import type { KubeObject } from '../../src/api/types.js';

type Model = new (data: never) => { validate(): void };
const MODELS: Record<string, Model> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HpaV2,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PdbV1,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
};

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);
const ajv = new Ajv({ strict: false, allErrors: true });
const dapr: Record<string, ReturnType<Ajv['compile']>> = {};
for (const file of [
  'dapr/components.crd.yaml',
  'dapr/configuration.crd.yaml',
  'dapr/resiliency.crd.yaml',
  'dapr/subscription.crd.yaml',
]) {
  const crd = parseAllDocuments(readFileSync(fixture(file), 'utf8'))
    .map(
      (d) =>
        d.toJS() as {
          spec?: {
            names: { kind: string };
            versions: { name: string; schema: { openAPIV3Schema: object } }[];
          };
        },
    )
    .find((d) => d?.spec)!;
  const version = crd.spec!.versions.find((v) => v.name === 'v1alpha1')!;
  dapr[crd.spec!.names.kind] = ajv.compile(version.schema.openAPIV3Schema);
}

/** Throws with the schema errors when `obj` is not a valid object of its kind. */
export function validateObject(obj: KubeObject): void {
  if (obj.apiVersion === 'dapr.io/v1alpha1') {
    const validate = dapr[obj.kind];
    if (!validate) throw new Error(`no Dapr schema for ${obj.kind}`);
    if (!validate(obj))
      throw new Error(`${obj.kind}/${obj.metadata.name}: ${ajv.errorsText(validate.errors)}`);
    return;
  }
  const model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  new model(obj as never).validate();
}
