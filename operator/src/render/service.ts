/** One ClusterIP Service per service, port 80 → the app's named port. */
import type { KubeObject, SocialPlatform } from '../api/types.js';
import { childMeta, enabledServices, serviceSelector, workloadName } from './meta.js';

export function render(platform: SocialPlatform): KubeObject[] {
  return enabledServices(platform).map((svc) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(platform, workloadName(platform, svc), svc),
    spec: {
      type: 'ClusterIP',
      selector: serviceSelector(platform, svc),
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  }));
}
