/** The Dapr Configuration every sidecar loads (`dapr.io/config`): tracing and mTLS. */
import type { KubeObject, SocialPlatform } from '../types.js';
import { daprConfigName } from './deployment.js';
import { childMeta } from './meta.js';

export function render(platform: SocialPlatform): KubeObject[] {
  const { observability, dapr } = platform.spec;
  const tracing: Record<string, unknown> = { samplingRate: observability.samplingRate };
  if (observability.otlpEndpoint) {
    tracing.otel = { endpointAddress: observability.otlpEndpoint, isSecure: !observability.otlpInsecure, protocol: 'grpc' };
  } else {
    // Without a collector there is nowhere to send spans.
    tracing.samplingRate = '0';
  }
  return [
    {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Configuration',
      metadata: childMeta(platform, daprConfigName(platform)),
      spec: { tracing, mtls: { enabled: dapr.mtls }, metric: { enabled: true } },
    },
  ];
}
