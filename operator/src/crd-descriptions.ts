/**
 * What `kubectl explain socialplatform.<field>` prints, by schema path (`<svc>` stands for
 * every service, `<name>` for a map key). Kept apart from crd.ts so the schema's shape stays
 * readable; descriptions already written inline there are kept, and a test checks that every
 * node ends up described. Not `metadata`: the apiserver refuses anything there but its type
 * (kubectl explain shows ObjectMeta's own documentation).
 */
export const DESCRIPTIONS: Record<string, string> = {
  '': 'A whole Flock social platform in one namespace: its services, their backends and how they are exposed. The Flock operator turns it into Deployments, Services, Dapr Components and the rest; see docs/operator.md.',
  '.apiVersion': 'The versioned schema of this object: flock.dev/v1alpha1.',
  '.kind': 'SocialPlatform.',
  '.spec': 'What the platform should be.',
  '.spec.image': 'Where service images come from: each service runs <registry>/<service>:<tag>.',
  '.spec.image.registry': 'The image registry and path prefix, e.g. ghcr.io/flock.',
  '.spec.image.tag': 'The image tag every service runs.',
  '.spec.image.pullPolicy': "The containers' imagePullPolicy.",
  '.spec.services.<svc>': 'This service: present means it runs, absent means it does not.',
  '.spec.services.<svc>.replicas':
    'Pods to run while autoscaling is off; with autoscaling on, the HPA decides.',
  '.spec.services.<svc>.state.type':
    'The state store kind: postgresql or mongodb (redis is refused: its transactions do not roll back).',
  '.spec.services.<svc>.state.secretRef.name': 'The name of the Secret.',
  '.spec.services.<svc>.autoscaling': "A HorizontalPodAutoscaler on the app container's CPU.",
  '.spec.services.<svc>.autoscaling.enabled':
    'Whether the HPA owns the replica count (spec.services.<name>.replicas is then ignored).',
  '.spec.services.<svc>.autoscaling.minReplicas':
    'The fewest pods the HPA keeps; at most maxReplicas.',
  '.spec.services.<svc>.autoscaling.maxReplicas': 'The most pods the HPA runs.',
  '.spec.services.<svc>.autoscaling.targetCPUUtilizationPercentage':
    'Average CPU use, in percent of the request, the HPA aims at.',
  '.spec.backends': 'The stores and brokers the services use through Dapr.',
  '.spec.backends.state.type':
    'The state store kind: postgresql or mongodb (redis is refused: its transactions do not roll back).',
  '.spec.backends.state.secretRef.name': 'The name of the Secret.',
  '.spec.backends.pubsub':
    'The broker every service publishes and subscribes through (Dapr component pubsub).',
  '.spec.backends.pubsub.type': 'The broker kind: redis, rabbitmq, kafka or jetstream.',
  '.spec.backends.pubsub.secretRef.name': 'The name of the Secret.',
  '.spec.backends.secretStore':
    'Where the services read their own secrets (JWT keys, the search database URL).',
  '.spec.backends.secretStore.type': 'kubernetes: Secrets in this namespace, by name.',
  '.spec.ingress.host': 'The host name the Ingress serves the gateway on.',
  '.spec.ingress.className': 'The IngressClass to use; the cluster default when empty.',
  '.spec.ingress.tlsSecretName':
    'A kubernetes.io/tls Secret (keys tls.crt, tls.key) for HTTPS on the host; plain HTTP when empty.',
  '.spec.observability': 'Tracing and metrics.',
  '.spec.observability.otlpInsecure': 'Send traces over plain gRPC (true) or TLS (false).',
  '.spec.observability.samplingRate':
    'The share of traces kept, from 0 to 1, decided at the gateway.',
  '.spec.dapr': 'The Dapr sidecar of every service.',
  '.spec.dapr.logLevel': "daprd's log level.",
  '.spec.dapr.mtls':
    "Recorded in the platform's Dapr Configuration; Dapr takes mTLS from its control plane's daprsystem Configuration, so keep the two equal.",
  '.status': 'What the operator last observed; written by the operator only.',
  '.status.observedGeneration':
    'The metadata.generation this status describes; older means the operator has not acted on the latest spec yet.',
  '.status.servicesReady': 'Services with all their ready replicas, as ready/total.',
  '.status.conditions':
    'Ready, Progressing and Degraded, each with a reason and a message saying what to do.',
  '.status.conditions[]': 'One condition, as metav1.Condition.',
  '.status.conditions[].type': 'Ready, Progressing or Degraded.',
  '.status.conditions[].status': 'True, False or Unknown.',
  '.status.conditions[].reason':
    'One CamelCase word for machines, e.g. SecretMissing, ApplyFailed or RolloutStuck.',
  '.status.conditions[].message': 'What is wrong and what to do, in sentences.',
  '.status.conditions[].lastTransitionTime': 'When status last changed.',
  '.status.conditions[].observedGeneration': 'The metadata.generation the condition was set for.',
  '.status.services': 'Per service, the replicas wanted and ready.',
  '.status.services.<name>': 'One service.',
  '.status.services.<name>.replicas': 'Replicas its Deployment wants.',
  '.status.services.<name>.readyReplicas': 'Replicas that are ready.',
};

type Node = {
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: Node | boolean;
};

/** A copy of `schema` with DESCRIPTIONS filled in where a node has none. */
export function describeSchema<T>(schema: T, path = ''): T {
  const n = schema as Node;
  const key = path.replace(/^\.spec\.services\.\w+/, '.spec.services.<svc>');
  const out: Node = { ...n };
  if (!out.description && DESCRIPTIONS[key]) out.description = DESCRIPTIONS[key];
  if (n.properties)
    out.properties = Object.fromEntries(
      Object.entries(n.properties).map(([k, v]) => [k, describeSchema(v, `${path}.${k}`)]),
    );
  if (n.items) out.items = describeSchema(n.items, `${path}[]`);
  if (n.additionalProperties && typeof n.additionalProperties === 'object')
    out.additionalProperties = describeSchema(n.additionalProperties, `${path}.<name>`);
  return out as T;
}
