import { baseConfigSchema } from '@flock/kit';
import { z } from 'zod';

export const searchConfigSchema = baseConfigSchema.extend({
  /** The text search configuration for post text (`simple` is always used for hashtags). */
  SEARCH_LANGUAGE: z
    .string()
    .regex(/^[a-z_]{1,63}$/, 'a text search configuration name such as english')
    .default('english'),
  SEARCH_PG_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
});
export type SearchConfig = z.infer<typeof searchConfigSchema>;
