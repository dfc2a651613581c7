import { z } from 'zod';

/** Settings every Flock service reads. Services extend this schema with their own keys. */
export const baseConfigSchema = z.object({
  /** The Dapr app-id; also the service name in logs and metrics. */
  APP_ID: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  APP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  APP_HOST: z.string().min(1).default('0.0.0.0'),
  DAPR_HOST: z.string().min(1).default('127.0.0.1'),
  DAPR_HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(3500),
  /** Sent to the sidecar on every call when the sidecar enforces a token. */
  DAPR_API_TOKEN: z.string().min(1).optional(),
  /** When set, the app accepts calls only from its sidecar (which sends this token). */
  APP_API_TOKEN: z.string().min(1).optional(),
  /**
   * When set, `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`. The public edge
   * (the gateway) serves no `/metrics` at all without it: its port is the internet's.
   */
  METRICS_TOKEN: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'a size such as 64kb')
    .default('64kb'),
  /** JSON bodies nested deeper are refused before they are parsed (docs/security.md). */
  JSON_MAX_DEPTH: z.coerce.number().int().min(1).max(1000).default(32),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates the environment before anything starts. A bad or missing variable fails fast with
 * a message naming it; reading a key the schema does not declare throws (it is a bug).
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<S>> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const values = Object.freeze(parsed.data) as Record<string | symbol, unknown>;
  const declared = new Set(Object.keys(schema.shape));
  return new Proxy(values, {
    get(target, key) {
      if (typeof key === 'string' && !declared.has(key) && key !== 'then' && key !== 'toJSON') {
        throw new ConfigError(`Unknown configuration key "${key}"`);
      }
      return target[key];
    },
  }) as Readonly<z.infer<S>>;
}
