import { baseConfigSchema } from '@flock/kit';
import type { z } from 'zod';

/** The users service reads the kit's base settings only. */
export const usersConfigSchema = baseConfigSchema;
export type UsersConfig = z.infer<typeof usersConfigSchema>;
