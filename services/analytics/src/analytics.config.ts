import { baseConfigSchema } from '@flock/kit';
import type { z } from 'zod';

/** The analytics service reads the kit's base settings only. */
export const analyticsConfigSchema = baseConfigSchema;
export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;
