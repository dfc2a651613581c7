/**
 * What the apiserver does for a SocialPlatform before the operator sees it — schema defaults
 * and validation from `crd.ts` — done offline for the `render` command, plus the checks a
 * schema cannot express. Problems are phrased as what to fix.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { platformSchema } from './crd.js';
import { QUERY_SERVICES } from './render/backends.js';
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
  // Only these list through the state query API (the outbox needs none); on Redis, daprd serves
  // query only from RediSearch indexes this operator does not render.
  for (const svc of QUERY_SERVICES) {
    const own = platform.spec.services?.[svc];
    if (!own) continue;
    const where = own.state ? `services.${svc}.state` : 'backends.state';
    if ((own.state ?? platform.spec.backends.state).type === 'redis') {
      problems.push(
        `spec.${where}.type is redis, but ${svc} lists its data through the state query API, which Dapr's Redis store serves only from RediSearch indexes this operator does not render; give ${svc} postgresql or mongodb (spec.services.${svc}.state)`,
      );
    }
  }
  if (platform.spec.ingress && !platform.spec.services?.gateway) {
    problems.push(
      'spec.ingress is set but spec.services.gateway is missing; add the gateway or remove spec.ingress',
    );
  }
  return problems;
}
