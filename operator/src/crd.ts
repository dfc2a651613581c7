/**
 * The one source of truth for the SocialPlatform CRD. The chart's copy
 * (`charts/flock-operator/crds/socialplatforms.flock.dev.yaml`) is generated from it by
 * `flock-operator crd` (see scripts/kube/sync-crd.sh) and a test keeps the two identical.
 * The offline `render` command applies the same defaults and validation with ajv.
 */
import {
  GROUP,
  KIND,
  LOG_LEVELS,
  PLURAL,
  PUBSUB_TYPES,
  SERVICE_NAMES,
  STATE_TYPES,
  VERSION,
} from './types.js';
import { describeSchema } from './crd-descriptions.js';

type Schema = Record<string, unknown>;

// maxLength bounds the cost the apiserver estimates for the CEL rules below.
const QUANTITY = {
  type: 'string',
  maxLength: 16,
  pattern: '^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$',
};
/** CEL (Kubernetes 1.29+ has quantity()); an older apiserver drops the rules and the operator reports the refusal. */
const atMostLimit = (r: 'cpu' | 'memory') => ({
  rule: `!has(self.requests) || !has(self.limits) || !has(self.requests.${r}) || !has(self.limits.${r}) || quantity(self.requests.${r}).compareTo(quantity(self.limits.${r})) <= 0`,
  message: `requests.${r} must not be greater than limits.${r}`,
});
const resourceList = (d: { cpu: string; memory: string }): Schema => ({
  type: 'object',
  properties: {
    cpu: {
      ...QUANTITY,
      default: d.cpu,
      description: 'CPU in cores or millicores, e.g. 100m or 0.5.',
    },
    memory: {
      ...QUANTITY,
      default: d.memory,
      description: 'Memory in bytes with a suffix, e.g. 128Mi or 1Gi.',
      // "128m" is 0.128 bytes: a typo for Mi that no container survives.
      'x-kubernetes-validations': [
        {
          rule: "quantity(self).compareTo(quantity('4Mi')) >= 0",
          message: 'memory must be at least 4Mi (m means millibytes; write Mi)',
        },
      ],
    },
  },
});
const resources = (
  req: { cpu: string; memory: string },
  lim: { cpu: string; memory: string },
): Schema => ({
  type: 'object',
  default: {},
  description: 'Requests and limits as in a container spec; requests may not exceed limits.',
  'x-kubernetes-validations': [atMostLimit('cpu'), atMostLimit('memory')],
  properties: {
    requests: { ...resourceList(req), default: {}, description: 'What the scheduler reserves.' },
    limits: { ...resourceList(lim), default: {}, description: 'The most the container may use.' },
  },
});
const secretRef = (what: string): Schema => ({
  type: 'object',
  description: `The Secret (same namespace) holding the ${what} connection keys; see docs/operator.md for the keys per type.`,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1 } },
});

const stateBackend = (description: string): Schema => ({
  type: 'object',
  description,
  required: ['type', 'secretRef'],
  properties: {
    type: { type: 'string', enum: [...STATE_TYPES] },
    secretRef: secretRef('state store'),
  },
});

const service: Schema = {
  type: 'object',
  properties: {
    replicas: { type: 'integer', minimum: 0, maximum: 100, default: 1 },
    image: {
      type: 'string',
      minLength: 1,
      description: 'Full image reference; overrides image.registry and image.tag.',
    },
    resources: resources({ cpu: '50m', memory: '128Mi' }, { cpu: '500m', memory: '512Mi' }),
    state: stateBackend("This service's own state store, overriding backends.state."),
    autoscaling: {
      type: 'object',
      default: {},
      properties: {
        enabled: { type: 'boolean', default: false },
        minReplicas: { type: 'integer', minimum: 1, maximum: 100, default: 1 },
        maxReplicas: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
        targetCPUUtilizationPercentage: { type: 'integer', minimum: 1, maximum: 100, default: 80 },
      },
    },
  },
};

const spec: Schema = {
  type: 'object',
  required: ['backends'],
  properties: {
    image: {
      type: 'object',
      default: {},
      properties: {
        registry: { type: 'string', default: 'ghcr.io/flock' },
        tag: { type: 'string', default: 'latest' },
        pullPolicy: {
          type: 'string',
          enum: ['Always', 'IfNotPresent', 'Never'],
          default: 'IfNotPresent',
        },
      },
    },
    services: {
      type: 'object',
      description:
        'The services to run; a service left out is not deployed (and removed if it was).',
      default: {},
      properties: Object.fromEntries(SERVICE_NAMES.map((name) => [name, service])),
    },
    backends: {
      type: 'object',
      required: ['state', 'pubsub'],
      properties: {
        state: stateBackend('The state store of every service without its own.'),
        pubsub: {
          type: 'object',
          required: ['type', 'secretRef'],
          properties: {
            type: { type: 'string', enum: [...PUBSUB_TYPES] },
            secretRef: secretRef('pub/sub broker'),
          },
        },
        secretStore: {
          type: 'object',
          default: {},
          properties: { type: { type: 'string', enum: ['kubernetes'], default: 'kubernetes' } },
        },
      },
    },
    ingress: {
      type: 'object',
      description: 'Exposes the gateway; omit for no Ingress.',
      required: ['host'],
      properties: {
        host: { type: 'string', minLength: 1 },
        className: { type: 'string' },
        tlsSecretName: { type: 'string' },
      },
    },
    observability: {
      type: 'object',
      default: {},
      properties: {
        otlpEndpoint: {
          type: 'string',
          description: 'host:port of an OTLP collector; tracing is off without it.',
        },
        otlpInsecure: { type: 'boolean', default: true },
        samplingRate: { type: 'string', pattern: '^(0(\\.[0-9]+)?|1(\\.0+)?)$', default: '0.1' },
        prometheusNamespace: {
          type: 'string',
          default: 'monitoring',
          description:
            'The namespace Prometheus runs in: its pods may reach the app and daprd metrics ports (NetworkPolicy <platform>-metrics).',
        },
      },
    },
    dapr: {
      type: 'object',
      default: {},
      properties: {
        logLevel: { type: 'string', enum: [...LOG_LEVELS], default: 'info' },
        sidecarResources: resources(
          { cpu: '100m', memory: '250Mi' },
          { cpu: '300m', memory: '1000Mi' },
        ),
        mtls: { type: 'boolean', default: true },
        apiTokenSecret: {
          type: 'string',
          description: 'Secret with a `token` key: sidecars then require it.',
        },
      },
    },
  },
};

const condition: Schema = {
  type: 'object',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: { type: 'string' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string' },
    message: { type: 'string' },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer', minimum: 0 },
  },
};

const status: Schema = {
  type: 'object',
  properties: {
    observedGeneration: { type: 'integer' },
    servicesReady: { type: 'string' },
    conditions: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      items: condition,
    },
    services: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { replicas: { type: 'integer' }, readyReplicas: { type: 'integer' } },
      },
    },
  },
};

/** The `openAPIV3Schema` of the served version, every field described for `kubectl explain`. */
export const platformSchema: Schema = describeSchema({
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec,
    status,
  },
});

export const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: {
      kind: KIND,
      listKind: `${KIND}List`,
      plural: PLURAL,
      singular: 'socialplatform',
      shortNames: ['sp'],
    },
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          {
            name: 'Ready',
            type: 'string',
            jsonPath: '.status.conditions[?(@.type=="Ready")].status',
          },
          {
            name: 'Reason',
            type: 'string',
            jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
          },
          { name: 'Services', type: 'string', jsonPath: '.status.servicesReady' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: { openAPIV3Schema: platformSchema },
      },
    ],
  },
};
