/** The only way in from outside: an Ingress to the gateway Service, when `spec.ingress` is set. */
import type { KubeObject, SocialPlatform } from '../api/types.js';
import { childMeta, enabledServices, workloadName } from './meta.js';

export function render(platform: SocialPlatform): KubeObject[] {
  const ingress = platform.spec.ingress;
  if (!ingress || !enabledServices(platform).includes('gateway')) return [];
  const name = workloadName(platform, 'gateway');
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: childMeta(platform, name, 'gateway'),
      spec: {
        ...(ingress.className ? { ingressClassName: ingress.className } : {}),
        ...(ingress.tlsSecretName
          ? { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] }
          : {}),
        rules: [
          {
            host: ingress.host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name, port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    },
  ];
}
