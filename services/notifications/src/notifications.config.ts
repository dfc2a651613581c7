import { baseConfigSchema } from '@flock/kit';
import { z } from 'zod';

export const notificationsConfigSchema = baseConfigSchema.extend({
  /** Retention: a notification older than this is gone (stored with a TTL, filtered on read). */
  NOTIFICATION_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** The newest notifications a user keeps; older ones fall off when new ones arrive. */
  NOTIFICATION_INBOX_CAP: z.coerce.number().int().min(10).max(5000).default(1000),
  /** SSE heartbeat comment (`: ping`) interval: keeps proxies from closing an idle stream. */
  SSE_HEARTBEAT_MS: z.coerce.number().int().min(10).default(15_000),
  /**
   * A stream is closed after this long and the client reconnects with Last-Event-ID: a stream a
   * proxy failed to close (a vanished client behind it) cannot live for ever.
   */
  SSE_MAX_AGE_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(30 * 60_000),
});
export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;
