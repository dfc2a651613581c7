/**
 * The Secrets a rendered object needs to work: Components name them in `secretKeyRef`s, the
 * Ingress in `tls[].secretName`, Deployments in Dapr's api-token annotation. The reconciler
 * holds back exactly these objects while a Secret is missing and applies everything else.
 */
import type { KubeObject } from '../api/types.js';

const API_TOKEN_ANNOTATION = 'dapr.io/api-token-secret';

export function secretsReferenced(obj: KubeObject): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const ref = o.secretKeyRef as { name?: unknown } | undefined;
    if (typeof ref?.name === 'string') names.add(ref.name);
    if (typeof o.secretName === 'string') names.add(o.secretName);
    const token = (o.annotations as Record<string, unknown> | undefined)?.[API_TOKEN_ANNOTATION];
    if (typeof token === 'string') names.add(token);
    Object.values(o).forEach(walk);
  };
  walk(obj);
  return names;
}
