import { baseConfigSchema } from '@flock/kit';
import type { z } from 'zod';

/** The follows service reads the kit's base settings only. */
export const followsConfigSchema = baseConfigSchema;
export type FollowsConfig = z.infer<typeof followsConfigSchema>;
