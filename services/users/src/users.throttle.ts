/**
 * Login throttling rules (no I/O; the counters live in the users store).
 *
 * Three counters see every attempt, each with its own free allowance, after which each further
 * attempt locks its counter for a window that doubles (exponential backoff, capped):
 *
 * - `pair`: this account from this client address — the one that stops a guesser at the door;
 *   someone else's failures never touch the victim's own pair;
 * - `account`: this account from anywhere — stops a guesser spread over many addresses; the
 *   addresses the account has signed in from before are exempt, so an attacker cannot lock the
 *   owner out of their usual devices;
 * - `source`: this address against any account — stops password spraying (one guess per account).
 *
 * An attempt is admitted only if no counter that applies to it is locked, and it is counted in the
 * same atomic write that admits it, before the password is checked: concurrent guesses cannot slip
 * past the allowance. A refused attempt counts nothing, so hammering a locked door does not
 * lengthen the lock. The right password is no failure: it forgets that pair's count and takes its
 * own attempt back from the others.
 */

/** How one counter reacts: `free` attempts, then locks of `baseLockSeconds`, doubling up to the cap. */
export interface Gate {
  free: number;
  baseLockSeconds: number;
  maxLockSeconds: number;
}

export const LOGIN_GATES = {
  pair: { free: 5, baseLockSeconds: 60, maxLockSeconds: 3_600 },
  account: { free: 20, baseLockSeconds: 60, maxLockSeconds: 3_600 },
  source: { free: 50, baseLockSeconds: 60, maxLockSeconds: 3_600 },
} as const satisfies Record<string, Gate>;

/** A counter is forgotten after this long without attempts (beyond any lock it still holds). */
export const ATTEMPT_MEMORY_SECONDS = 15 * 60;

/** How long an address the account signed in from stays exempt from the account-wide lock. */
export const KNOWN_SOURCE_SECONDS = 30 * 24 * 3600;

export interface AttemptRecord {
  attempts: number;
  /** Epoch milliseconds; absent while attempts are within the allowance. */
  lockedUntil?: number;
}

export interface Counter {
  key: string;
  gate: Gate;
  record: AttemptRecord | undefined;
  /** false: the attempt is counted here but this counter's lock does not stop it. */
  enforced: boolean;
}

export interface CounterWrite {
  key: string;
  record: AttemptRecord;
  ttlSeconds: number;
}

export type Admission =
  { admitted: true; writes: CounterWrite[] } | { admitted: false; retryAfterSeconds: number };

/** Seconds left on a lock; 0 when the counter lets attempts through. */
export function lockRemaining(record: AttemptRecord | undefined, nowMs: number): number {
  const until = record?.lockedUntil ?? 0;
  return until > nowMs ? Math.ceil((until - nowMs) / 1000) : 0;
}

/** The counter after one more attempt: past the allowance it locks, twice as long each time. */
export function charged(
  record: AttemptRecord | undefined,
  gate: Gate,
  nowMs: number,
): AttemptRecord {
  const attempts = (record?.attempts ?? 0) + 1;
  if (attempts < gate.free) return { attempts };
  const lockSeconds = Math.min(
    gate.maxLockSeconds,
    gate.baseLockSeconds * 2 ** (attempts - gate.free),
  );
  return { attempts, lockedUntil: nowMs + lockSeconds * 1000 };
}

/** Admits and counts an attempt against every counter, or refuses it without counting. */
export function admit(counters: readonly Counter[], nowMs: number): Admission {
  const wait = Math.max(
    0,
    ...counters.filter((c) => c.enforced).map((c) => lockRemaining(c.record, nowMs)),
  );
  if (wait > 0) return { admitted: false, retryAfterSeconds: wait };
  return {
    admitted: true,
    writes: counters.map(({ key, gate, record }) => {
      const next = charged(record, gate, nowMs);
      return { key, record: next, ttlSeconds: lockRemaining(next, nowMs) + ATTEMPT_MEMORY_SECONDS };
    }),
  };
}

/** Takes one admitted attempt back from each counter (it turned out to be the right password). */
export function refund(records: ReadonlyMap<string, AttemptRecord>, nowMs: number): Admission {
  return {
    admitted: true,
    writes: [...records].map(([key, record]) => {
      const next = { ...record, attempts: Math.max(0, record.attempts - 1) };
      return { key, record: next, ttlSeconds: lockRemaining(next, nowMs) + ATTEMPT_MEMORY_SECONDS };
    }),
  };
}

/** The counters' keys: `account` is the canonical account (or the login as typed, if none). */
export function loginCounterKeys(account: string, source: string) {
  return {
    pair: `pair:${account}|${source}`,
    account: `account:${account}`,
    source: `source:${source}`,
  };
}

/** The counters one attempt is admitted by; the account-wide lock spares known sources. */
export function loginCounters(
  keys: ReturnType<typeof loginCounterKeys>,
  sourceIsKnown: boolean,
  records: ReadonlyMap<string, AttemptRecord>,
): Counter[] {
  const counter = (key: string, gate: Gate, enforced = true): Counter => ({
    key,
    gate,
    record: records.get(key),
    enforced,
  });
  return [
    counter(keys.pair, LOGIN_GATES.pair),
    counter(keys.account, LOGIN_GATES.account, !sourceIsKnown),
    counter(keys.source, LOGIN_GATES.source),
  ];
}
