import { baseConfigSchema } from '@flock/kit';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const gatewayConfigSchema = baseConfigSchema.extend({
  /** Requests a minute per signed-in user, and per client address for anonymous calls. */
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().positive().default(300),
  /** Open event streams one caller may hold at once (each costs the gateway two sockets). */
  SSE_STREAMS_PER_USER: z.coerce.number().int().positive().default(5),
  /** Failed logins and refreshes a minute per client address: a budget apart from the above. */
  RATE_LIMIT_LOGIN_FAILURES_PER_MINUTE: z.coerce.number().int().positive().default(20),
  /** User searches by email address a minute per caller. */
  RATE_LIMIT_EMAIL_LOOKUPS_PER_MINUTE: z.coerce.number().int().positive().default(10),
  /** `*` or a comma-separated list of allowed browser origins. */
  CORS_ORIGINS: z.string().min(1).default('*'),
  /** Proxies in front of the gateway (the ingress) whose X-Forwarded-For is trusted. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).default(0),
  /**
   * How long "this token is not revoked" is remembered. Revocation notices clear it at once; this
   * only bounds how long a lost notice can leave a revoked token working.
   */
  REVOCATION_CACHE_MS: z.coerce.number().int().min(0).default(2_000),
  /** The built web client; its absence only means the gateway serves the API alone. */
  WEB_DIR: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../web/dist', import.meta.url))),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
