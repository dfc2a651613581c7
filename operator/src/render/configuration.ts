/** The Dapr Configuration every sidecar loads (`dapr.io/config`): tracing and mTLS. */
import type { KubeObject, SocialPlatform } from '../api/types.js';
import { daprConfigName } from './deployment.js';
import { childMeta } from './meta.js';

export function render(platform: SocialPlatform): KubeObject[] {
  const { observability, dapr } = platform.spec;
  const tracing: Record<string, unknown> = { samplingRate: observability.samplingRate };
  if (observability.otlpEndpoint) {
    tracing.otel = {
      endpointAddress: observability.otlpEndpoint,
      isSecure: !observability.otlpInsecure,
      protocol: 'grpc',
    };
  } else {
    // Without a collector there is nowhere to send spans.
    tracing.samplingRate = '0';
  }
  return [
    {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Configuration',
      metadata: childMeta(platform, daprConfigName(platform)),
      spec: {
        tracing,
        // Sidecars take mTLS from the control plane's `daprsystem` Configuration; this block
        // (whose schema requires the trust domain and Sentry address) records the intent
        // next to the tracing settings. The defaults are Dapr's Helm defaults.
        mtls: {
          enabled: dapr.mtls,
          controlPlaneTrustDomain: 'cluster.local',
          sentryAddress: 'dapr-sentry.dapr-system.svc.cluster.local:443',
        },
        metric: { enabled: true },
      },
    },
  ];
}
