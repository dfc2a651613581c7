import { baseConfigSchema } from '@flock/kit';
import type { z } from 'zod';

/** The posts service reads the kit's base settings only. */
export const postsConfigSchema = baseConfigSchema;
export type PostsConfig = z.infer<typeof postsConfigSchema>;
