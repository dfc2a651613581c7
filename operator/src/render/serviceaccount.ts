/** One ServiceAccount per service, so each workload has its own identity (Dapr mTLS uses it). */
import type { KubeObject, SocialPlatform } from '../api/types.js';
import { childMeta, enabledServices, workloadName } from './meta.js';

export function render(platform: SocialPlatform): KubeObject[] {
  return enabledServices(platform).map((svc) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: childMeta(platform, workloadName(platform, svc), svc),
    // The services never call the Kubernetes API; daprd mounts its own projected token.
    automountServiceAccountToken: false,
  }));
}
