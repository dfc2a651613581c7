import { baseConfigSchema } from '@flock/kit';
import { z } from 'zod';

export const timelineConfigSchema = baseConfigSchema.extend({
  /** A poster with more followers than this is not fanned out; followers merge their posts at read time. */
  CELEBRITY_FOLLOWERS: z.coerce.number().int().min(0).default(10_000),
});
export type TimelineConfig = z.infer<typeof timelineConfigSchema>;
