import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from './users.domain.js';

/** The library's `Algorithm.Argon2id` (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

/** argon2id at OWASP's recommended floor (m=19 MiB, t=2, p=1). */
export const argon2idHasher: PasswordHasher = {
  hash: (password) =>
    hash(password, { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
  verify: async (stored, password) => {
    try {
      return await verify(stored, password);
    } catch {
      return false; // a corrupt stored hash must read as "wrong password", not a 500
    }
  },
};
