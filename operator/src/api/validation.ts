/**
 * What the apiserver does for a SocialPlatform before the operator sees it — schema defaults
 * and validation from `crd.ts` — done offline for the `render` command, plus the checks a
 * schema cannot express. Problems are phrased as what to fix.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { platformSchema } from './crd.js';
import { API_VERSION, KIND, type SocialPlatform } from './types.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ useDefaults: true, strict: false, allErrors: true });
addFormats(ajv);
const validateSchema = ajv.compile(platformSchema);

export class InvalidPlatformError extends Error {}

/** Fills defaults in place and checks the schema, as the apiserver would on create. */
export function defaultAndValidate(obj: unknown): SocialPlatform {
  const o = obj as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
  if (o?.apiVersion !== API_VERSION || o.kind !== KIND || !o.metadata?.name) {
    throw new InvalidPlatformError(`expected a ${KIND} (${API_VERSION}) with metadata.name`);
  }
  if (!validateSchema(obj)) {
    const errs = (validateSchema.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? ''}`,
    );
    throw new InvalidPlatformError(`invalid ${KIND}: ${errs.join('; ')}`);
  }
  return obj as SocialPlatform;
}

/** Rules across fields that the CRD schema cannot state; each message says what to change. */
export function specProblems(platform: SocialPlatform): string[] {
  const problems: string[] = [];
  for (const [svc, s] of Object.entries(platform.spec.services ?? {})) {
    const a = s.autoscaling;
    if (a.enabled && a.minReplicas > a.maxReplicas) {
      problems.push(
        `spec.services.${svc}.autoscaling.minReplicas (${a.minReplicas}) is greater than maxReplicas (${a.maxReplicas}); lower minReplicas or raise maxReplicas`,
      );
    }
  }
  // Found by running daprd 1.18: its Redis store runs a transaction as MULTI of per-key scripts,
  // so a failed etag check leaves the other writes applied (and answers success), and insert-only
  // writes are not enforced inside transactions. Every Flock write is such a transaction.
  const redisState = [
    ['backends.state', platform.spec.backends.state] as const,
    ...Object.entries(platform.spec.services ?? {}).map(
      ([svc, s]) => [`services.${svc}.state`, s.state] as const,
    ),
  ].filter(([, state]) => state?.type === 'redis');
  for (const [where] of redisState) {
    problems.push(
      `spec.${where}.type is redis, but Dapr's Redis state store does not roll back a transaction whose etag check fails (it applies the other writes), and Flock commits every write with its events in one transaction; use postgresql or mongodb`,
    );
  }
  if (platform.spec.ingress && !platform.spec.services?.gateway) {
    problems.push(
      'spec.ingress is set but spec.services.gateway is missing; add the gateway or remove spec.ingress',
    );
  }
  return problems;
}
