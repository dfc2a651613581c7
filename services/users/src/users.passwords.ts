import argon2 from 'argon2';
import type { PasswordHasher } from './users.domain.js';

/** argon2id with the library's defaults (m=64 MiB, t=3, p=4), above OWASP's minimum. */
export const argon2idHasher: PasswordHasher = {
  hash: (password) => argon2.hash(password, { type: argon2.argon2id }),
  verify: async (hash, password) => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false; // a corrupt stored hash must read as "wrong password", not a 500
    }
  },
};
