/**
 * When to restart a failed watch. client-node reports "connect" before its list request, so a
 * list that always fails (a kind whose CRD is not installed: 404) also "connects" every time;
 * resetting the delay on connect retried every second forever. The delay resets only after a
 * watch stayed up for a while, and otherwise doubles to a cap.
 */
export const FIRST_DELAY_MS = 1000;
export const MAX_DELAY_MS = 5 * 60_000;
/** A watch that ran this long was healthy: its failure starts the backoff afresh. */
export const HEALTHY_AFTER_MS = 60_000;

export class WatchBackoff {
  private delay = FIRST_DELAY_MS;
  private connectedAt: number | undefined;

  connected(now: number): void {
    this.connectedAt = now;
  }

  /** The delay before the next start, after a failure at `now`. */
  failed(now: number): number {
    if (this.connectedAt !== undefined && now - this.connectedAt >= HEALTHY_AFTER_MS)
      this.delay = FIRST_DELAY_MS;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    return wait;
  }
}
