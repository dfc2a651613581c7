/** One Deployment per service: the app container with the Dapr sidecar injected by annotations. */
import { APP_IDS } from '@flock/kit';
import type { KubeObject, ServiceName, SocialPlatform } from '../api/types.js';
import { APP_PORT, childMeta, enabledServices, serviceSelector, workloadName } from './meta.js';

/** Names of the Dapr Configuration and of the Resiliency, shared with their renderers. */
export const daprConfigName = (platform: SocialPlatform): string =>
  `${platform.metadata.name}-config`;

function image(platform: SocialPlatform, svc: ServiceName): string {
  const { registry, tag } = platform.spec.image;
  return platform.spec.services[svc]?.image ?? `${registry}/${svc}:${tag}`;
}

export const DAPR_APP_ID = 'dapr.io/app-id';

function daprAnnotations(platform: SocialPlatform, svc: ServiceName): Record<string, string> {
  const { dapr } = platform.spec;
  const side = dapr.sidecarResources;
  const a: Record<string, string> = {
    'dapr.io/enabled': 'true',
    [DAPR_APP_ID]: APP_IDS[svc],
    'dapr.io/app-port': String(APP_PORT),
    'dapr.io/config': daprConfigName(platform),
    'dapr.io/log-level': dapr.logLevel,
    'dapr.io/log-as-json': 'true',
    'dapr.io/enable-app-health-check': 'true',
    'dapr.io/app-health-check-path': '/healthz',
  };
  if (side.requests?.cpu) a['dapr.io/sidecar-cpu-request'] = side.requests.cpu;
  if (side.requests?.memory) a['dapr.io/sidecar-memory-request'] = side.requests.memory;
  if (side.limits?.cpu) a['dapr.io/sidecar-cpu-limit'] = side.limits.cpu;
  if (side.limits?.memory) a['dapr.io/sidecar-memory-limit'] = side.limits.memory;
  if (dapr.apiTokenSecret) a['dapr.io/api-token-secret'] = dapr.apiTokenSecret;
  return a;
}

/**
 * The services' OpenTelemetry SDK reads the standard OTEL_* variables: an OTLP/gRPC endpoint as a
 * URL (the spec holds host:port), the platform's sampling rate, parent-based so a trace started
 * at the gateway is kept or dropped as a whole. No endpoint: the SDK is not even loaded.
 */
function tracingEnv(
  platform: SocialPlatform,
  svc: ServiceName,
): Array<{ name: string; value: string }> {
  const { otlpEndpoint, otlpInsecure, samplingRate } = platform.spec.observability;
  if (!otlpEndpoint) return [];
  const url = /^https?:\/\//.test(otlpEndpoint)
    ? otlpEndpoint
    : `${otlpInsecure ? 'http' : 'https'}://${otlpEndpoint}`;
  return [
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: url },
    { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'grpc' },
    { name: 'OTEL_SERVICE_NAME', value: svc },
    { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
    { name: 'OTEL_TRACES_SAMPLER_ARG', value: samplingRate },
  ];
}

function deployment(platform: SocialPlatform, svc: ServiceName): KubeObject {
  const spec = platform.spec.services[svc]!;
  const name = workloadName(platform, svc);
  // The kit's configuration (services/kit/src/config.ts); daprd's injector adds DAPR_HTTP_PORT
  // and, with the api-token annotation, DAPR_API_TOKEN.
  const env = [
    { name: 'APP_ID', value: APP_IDS[svc] },
    { name: 'APP_PORT', value: String(APP_PORT) },
    { name: 'APP_HOST', value: '0.0.0.0' },
    ...tracingEnv(platform, svc),
  ];
  const probe = (path: string, period: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds: period,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMeta(platform, name, svc),
    spec: {
      // With autoscaling on, the HPA owns replicas; leaving the field out of the apply keeps
      // the operator and the HPA from fighting over it.
      ...(spec.autoscaling.enabled ? {} : { replicas: spec.replicas }),
      selector: { matchLabels: serviceSelector(platform, svc) },
      template: {
        metadata: {
          labels: childMeta(platform, name, svc).labels,
          annotations: daprAnnotations(platform, svc),
        },
        spec: {
          serviceAccountName: name,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: svc,
              image: image(platform, svc),
              imagePullPolicy: platform.spec.image.pullPolicy,
              ports: [{ name: 'http', containerPort: APP_PORT, protocol: 'TCP' }],
              env,
              resources: spec.resources,
              livenessProbe: probe('/healthz', 10),
              readinessProbe: probe('/readyz', 5),
              securityContext: {
                runAsNonRoot: true,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              // The root filesystem is read-only; Node and libraries still want a scratch /tmp.
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

export function render(platform: SocialPlatform): KubeObject[] {
  return enabledServices(platform).map((svc) => deployment(platform, svc));
}
