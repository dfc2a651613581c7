import { baseConfigSchema } from '@flock/kit';
import type { z } from 'zod';

/** The comments service reads the kit's base settings only. */
export const commentsConfigSchema = baseConfigSchema;
export type CommentsConfig = z.infer<typeof commentsConfigSchema>;
