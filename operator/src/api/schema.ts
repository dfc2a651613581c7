/**
 * The SocialPlatform API, written once: crd.ts turns it into the CRD's structural schema (what
 * the apiserver defaults and enforces, what `kubectl explain` prints) and types.ts infers the
 * TypeScript types from it. Descriptions sit on the fields they describe. Not `metadata`: the
 * apiserver refuses anything there but its type (kubectl explain shows ObjectMeta's own).
 *
 * Objects with defaulted fields use `prefault({})`: the apiserver defaults an absent object to
 * `{}` and then defaults the fields inside it, which is what prefault does (a `default` would be
 * taken as the finished value).
 */
import { z } from 'zod';
import { SERVICE_NAMES, type ServiceName } from './types.js';

export const STATE_TYPES = ['postgresql', 'redis', 'mongodb'] as const;
export const PUBSUB_TYPES = ['redis', 'rabbitmq', 'kafka', 'jetstream'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

// maxLength bounds the cost the apiserver estimates for the CEL rules below.
const quantity = () =>
  z
    .string()
    .max(16)
    .regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/);

/** CEL (Kubernetes 1.29+ has quantity()); an older apiserver drops the rules and the operator reports the refusal. */
const atMostLimit = (r: 'cpu' | 'memory') => ({
  rule: `!has(self.requests) || !has(self.limits) || !has(self.requests.${r}) || !has(self.limits.${r}) || quantity(self.requests.${r}).compareTo(quantity(self.limits.${r})) <= 0`,
  message: `requests.${r} must not be greater than limits.${r}`,
});

const resourceList = (d: { cpu: string; memory: string }) =>
  z.object({
    cpu: quantity().default(d.cpu).describe('CPU in cores or millicores, e.g. 100m or 0.5.'),
    memory: quantity()
      .default(d.memory)
      .meta({
        description: 'Memory in bytes with a suffix, e.g. 128Mi or 1Gi.',
        // "128m" is 0.128 bytes: a typo for Mi that no container survives.
        'x-kubernetes-validations': [
          {
            rule: "quantity(self).compareTo(quantity('4Mi')) >= 0",
            message: 'memory must be at least 4Mi (m means millibytes; write Mi)',
          },
        ],
      }),
  });

const resources = (req: { cpu: string; memory: string }, lim: { cpu: string; memory: string }) =>
  z
    .object({
      requests: resourceList(req).prefault({}).describe('What the scheduler reserves.'),
      limits: resourceList(lim).prefault({}).describe('The most the container may use.'),
    })
    .prefault({})
    .meta({
      description: 'Requests and limits as in a container spec; requests may not exceed limits.',
      'x-kubernetes-validations': [atMostLimit('cpu'), atMostLimit('memory')],
    });

const secretRef = (what: string) =>
  z
    .object({ name: z.string().min(1).describe('The name of the Secret.') })
    .describe(
      `The Secret (same namespace) holding the ${what} connection keys; see docs/operator.md for the keys per type.`,
    );

const stateBackend = z.object({
  type: z
    .enum(STATE_TYPES)
    .describe(
      'The state store kind: postgresql or mongodb (redis is refused: its transactions do not roll back).',
    ),
  secretRef: secretRef('state store'),
});

const replicaCount = (min: number) => z.int().min(min).max(100);

const service = z
  .object({
    replicas: replicaCount(0)
      .default(1)
      .describe('Pods to run while autoscaling is off; with autoscaling on, the HPA decides.'),
    image: z
      .string()
      .min(1)
      .optional()
      .describe('Full image reference; overrides image.registry and image.tag.'),
    resources: resources({ cpu: '50m', memory: '128Mi' }, { cpu: '500m', memory: '512Mi' }),
    state: stateBackend
      .optional()
      .describe("This service's own state store, overriding backends.state."),
    autoscaling: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Whether the HPA owns the replica count (spec.services.<name>.replicas is then ignored).',
          ),
        minReplicas: replicaCount(1)
          .default(1)
          .describe('The fewest pods the HPA keeps; at most maxReplicas.'),
        maxReplicas: replicaCount(1).default(3).describe('The most pods the HPA runs.'),
        targetCPUUtilizationPercentage: replicaCount(1)
          .default(80)
          .describe('Average CPU use, in percent of the request, the HPA aims at.'),
      })
      .prefault({})
      .describe("A HorizontalPodAutoscaler on the app container's CPU."),
  })
  .describe('This service: present means it runs, absent means it does not.');

/** One optional field per service, all with the same schema. */
const services = z.object(
  Object.fromEntries(SERVICE_NAMES.map((name) => [name, service.optional()])) as Record<
    ServiceName,
    z.ZodOptional<typeof service>
  >,
);

export const platformSpec = z
  .object({
    image: z
      .object({
        registry: z
          .string()
          .default('ghcr.io/flock')
          .describe('The image registry and path prefix, e.g. ghcr.io/flock.'),
        tag: z.string().default('latest').describe('The image tag every service runs.'),
        pullPolicy: z
          .enum(['Always', 'IfNotPresent', 'Never'])
          .default('IfNotPresent')
          .describe("The containers' imagePullPolicy."),
      })
      .prefault({})
      .describe('Where service images come from: each service runs <registry>/<service>:<tag>.'),
    services: services
      .default({})
      .describe('The services to run; a service left out is not deployed (and removed if it was).'),
    backends: z
      .object({
        state: stateBackend.describe('The state store of every service without its own.'),
        pubsub: z
          .object({
            type: z
              .enum(PUBSUB_TYPES)
              .describe('The broker kind: redis, rabbitmq, kafka or jetstream.'),
            secretRef: secretRef('pub/sub broker'),
          })
          .describe(
            'The broker every service publishes and subscribes through (Dapr component pubsub).',
          ),
        secretStore: z
          .object({
            type: z
              .enum(['kubernetes'])
              .default('kubernetes')
              .describe('kubernetes: Secrets in this namespace, by name.'),
          })
          .prefault({})
          .describe(
            'Where the services read their own secrets (JWT keys, the search database URL).',
          ),
      })
      .describe('The stores and brokers the services use through Dapr.'),
    ingress: z
      .object({
        host: z.string().min(1).describe('The host name the Ingress serves the gateway on.'),
        className: z
          .string()
          .optional()
          .describe('The IngressClass to use; the cluster default when empty.'),
        tlsSecretName: z
          .string()
          .optional()
          .describe(
            'A kubernetes.io/tls Secret (keys tls.crt, tls.key) for HTTPS on the host; plain HTTP when empty.',
          ),
      })
      .optional()
      .describe('Exposes the gateway; omit for no Ingress.'),
    observability: z
      .object({
        otlpEndpoint: z
          .string()
          .optional()
          .describe('host:port of an OTLP collector; tracing is off without it.'),
        otlpInsecure: z
          .boolean()
          .default(true)
          .describe('Send traces over plain gRPC (true) or TLS (false).'),
        samplingRate: z
          .string()
          .regex(/^(0(\.[0-9]+)?|1(\.0+)?)$/)
          .default('0.1')
          .describe('The share of traces kept, from 0 to 1, decided at the gateway.'),
        prometheusNamespace: z
          .string()
          .default('monitoring')
          .describe(
            'The namespace Prometheus runs in: its pods may reach the app and daprd metrics ports (NetworkPolicy <platform>-metrics).',
          ),
      })
      .prefault({})
      .describe('Tracing and metrics.'),
    dapr: z
      .object({
        logLevel: z.enum(LOG_LEVELS).default('info').describe("daprd's log level."),
        sidecarResources: resources(
          { cpu: '100m', memory: '250Mi' },
          { cpu: '300m', memory: '1000Mi' },
        ),
        mtls: z
          .boolean()
          .default(true)
          .describe(
            "Recorded in the platform's Dapr Configuration; Dapr takes mTLS from its control plane's daprsystem Configuration, so keep the two equal.",
          ),
        apiTokenSecret: z
          .string()
          .optional()
          .describe('Secret with a `token` key: sidecars then require it.'),
      })
      .prefault({})
      .describe('The Dapr sidecar of every service.'),
  })
  .describe('What the platform should be.');

const condition = z
  .object({
    type: z.string().describe('Ready, Progressing or Degraded.'),
    status: z.enum(['True', 'False', 'Unknown']).describe('True, False or Unknown.'),
    reason: z
      .string()
      .describe(
        'One CamelCase word for machines, e.g. SecretMissing, ApplyFailed or RolloutStuck.',
      ),
    message: z.string().describe('What is wrong and what to do, in sentences.'),
    lastTransitionTime: z.iso.datetime().describe('When status last changed.'),
    observedGeneration: z
      .int()
      .min(0)
      .optional()
      .describe('The metadata.generation the condition was set for.'),
  })
  .describe('One condition, as metav1.Condition.');

export const platformStatus = z
  .object({
    observedGeneration: z
      .int()
      .optional()
      .describe(
        'The metadata.generation this status describes; older means the operator has not acted on the latest spec yet.',
      ),
    servicesReady: z
      .string()
      .optional()
      .describe('Services with all their ready replicas, as ready/total.'),
    conditions: z
      .array(condition)
      .optional()
      .meta({
        description:
          'Ready, Progressing and Degraded, each with a reason and a message saying what to do.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    services: z
      .partialRecord(
        z.enum(SERVICE_NAMES),
        z
          .object({
            replicas: z.int().optional().describe('Replicas its Deployment wants.'),
            readyReplicas: z.int().optional().describe('Replicas that are ready.'),
          })
          .describe('One service.'),
      )
      .optional()
      .describe('Per service, the replicas wanted and ready.'),
  })
  .describe('What the operator last observed; written by the operator only.');

/**
 * The whole object as the CRD's openAPIV3Schema describes it; the apiserver itself requires
 * apiVersion, kind and metadata (types.ts has their TypeScript types).
 */
export const platformObject = z
  .object({
    apiVersion: z
      .string()
      .optional()
      .describe('The versioned schema of this object: flock.dev/v1alpha1.'),
    kind: z.string().optional().describe('SocialPlatform.'),
    metadata: z.object({}).optional(),
    spec: platformSpec,
    status: platformStatus.optional(),
  })
  .describe(
    'A whole Flock social platform in one namespace: its services, their backends and how they are exposed. The Flock operator turns it into Deployments, Services, Dapr Components and the rest; see docs/operator.md.',
  );
