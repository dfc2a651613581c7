import { z } from 'zod';

export const username = z
  .string()
  .min(3, 'at least 3 characters')
  .max(30, 'at most 30 characters')
  .regex(/^[a-z0-9_]+$/i, 'letters, digits and underscores only')
  .transform((value) => value.toLowerCase());

export const registerRequest = z.object({
  username,
  email: z
    .email('a valid email address')
    .max(254)
    .transform((value) => value.toLowerCase()),
  password: z.string().min(8, 'at least 8 characters').max(256, 'at most 256 characters'),
  displayName: z.string().trim().min(1).max(50).optional(),
});
export type RegisterRequest = z.infer<typeof registerRequest>;

export const loginRequest = z.object({
  /** A username or an email address. */
  login: z.string().min(1).max(254),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof loginRequest>;

export const userId = z.uuid('a user id');

/** What is stored; `passwordHash` never leaves the users service. */
export interface UserRecord {
  id: string;
  username: string;
  email: string;
  displayName: string;
  bio: string;
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
}

/** What anyone may see of a user. */
export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  bio: string;
  createdAt: string;
}
