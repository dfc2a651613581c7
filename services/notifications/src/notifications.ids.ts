import { randomBytes } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/**
 * A time-ordered id: 12 hex digits of milliseconds, a 4-hex-digit sequence within the
 * millisecond (never goes backwards in this process, even if the clock does), 8 random hex
 * digits so ids of different instances never collide. Comparing ids as strings compares times,
 * which is what lists, cursors and SSE `Last-Event-ID` replay rely on.
 */
export function newNotificationId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xffff) {
    lastMs += 1;
    sequence = 0;
  }
  return (
    lastMs.toString(16).padStart(12, '0') +
    sequence.toString(16).padStart(4, '0') +
    randomBytes(4).toString('hex')
  );
}
