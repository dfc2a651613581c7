import { z } from 'zod';
import { publicUser } from './client/users.client.js';

export const username = z
  .string()
  .min(3, 'at least 3 characters')
  .max(30, 'at most 30 characters')
  .regex(/^[a-z0-9_]+$/i, 'letters, digits and underscores only')
  .transform((value) => value.toLowerCase());

const password = z.string().min(8, 'at least 8 characters').max(256, 'at most 256 characters');
const displayName = z.string().trim().min(1, 'not blank').max(50, 'at most 50 characters');
const bio = z.string().max(160, 'at most 160 characters');

export const registerRequest = z.object({
  username,
  email: z
    .email('a valid email address')
    .max(254)
    .transform((value) => value.toLowerCase()),
  password,
  displayName: displayName.optional(),
});
export type RegisterRequest = z.infer<typeof registerRequest>;

export const loginRequest = z.object({
  /** A username or an email address. */
  login: z.string().min(1).max(254),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof loginRequest>;

/** The body may be left out by a browser that keeps its token in the session cookie. */
export const refreshRequest = z
  .object({ refreshToken: z.string().min(20).max(200).optional() })
  .default({});
/** The body is optional: without one, only the session in use ends. */
export const logoutRequest = z
  .object({ refreshToken: z.string().min(20).max(200).optional() })
  .default({});

export const updateUserRequest = z
  .object({ displayName: displayName.optional(), bio: bio.optional() })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
export type UpdateUserRequest = z.infer<typeof updateUserRequest>;

export const userIdParams = z.object({ id: z.uuid('a user id') });
export const sessionParams = z.object({
  userId: z.uuid('a user id'),
  sessionId: z.uuid('a session id'),
});

/** What is stored; `passwordHash` never leaves the users service. `kind` lets queries list users. */
export interface UserRecord {
  kind: 'user';
  id: string;
  username: string;
  email: string;
  displayName: string;
  bio: string;
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
}

export const registration = z.object({
  /** The same whether or not the email address already had an account. */
  detail: z.string(),
});

export const me = publicUser.extend({ email: z.string() });

export const session = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
  /** Left out when the request asked for the session cookie (x-flock-refresh-cookie: 1). */
  refreshToken: z.string().optional(),
  user: z.object({ id: z.uuid(), username: z.string() }),
});
