import type { Response } from 'express';
import { Gauge, type Registry } from 'prom-client';
import type { NotificationView } from './notifications.schemas.js';

export interface StreamSettings {
  heartbeatMs: number;
  maxAgeMs: number;
  /** Sent as `retry:`: how long a client waits before reconnecting. */
  reconnectMs?: number;
}

/** How many ids a stream remembers to skip a notification it already sent (replay vs live). */
const RECENT_IDS = 256;

class Stream {
  /** Live notifications that arrived while the replay was being read; sent after it. */
  private pending: NotificationView[] | undefined = [];
  private readonly recent: string[] = [];

  constructor(
    readonly userId: string,
    private readonly res: Response,
  ) {}

  /** Sends what the stream missed, then whatever arrived meanwhile, then goes live. */
  replay(missed: readonly NotificationView[]): void {
    const pending = this.pending ?? [];
    this.pending = undefined;
    for (const n of [...missed, ...pending]) this.send(n);
  }

  push(notification: NotificationView): void {
    if (this.pending) this.pending.push(notification);
    else this.send(notification);
  }

  /** "Your home timeline has new posts": no id, so a reconnect's Last-Event-ID is unchanged. */
  timelineUpdated(): void {
    this.res.write('event: timeline\ndata: {}\n\n');
  }

  comment(text: string): void {
    this.res.write(`: ${text}\n\n`);
  }

  close(): void {
    this.res.end();
  }

  private send(n: NotificationView): void {
    if (this.recent.includes(n.id)) return;
    this.recent.push(n.id);
    if (this.recent.length > RECENT_IDS) this.recent.shift();
    this.res.write(`id: ${n.id}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`);
  }
}

/**
 * The SSE streams open on THIS instance, by user. Every instance receives every stored
 * notification from the broadcast pub/sub and pushes it to its own streams of that user.
 * One heartbeat timer serves all streams; streams are counted in `open_sse_streams`.
 */
export class StreamHub {
  private readonly streams = new Map<string, Set<Stream>>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly gauge = new Gauge({
    name: 'open_sse_streams',
    help: 'Notification SSE streams open on this instance.',
    registers: [],
  });
  private count = 0;

  constructor(private readonly settings: StreamSettings) {
    this.heartbeat = setInterval(() => this.each((s) => s.comment('ping')), settings.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Exposes `open_sse_streams` on the service's registry. */
  registerMetrics(registry: Registry): void {
    registry.registerMetric(this.gauge);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Opens an SSE response for `userId`. `replay` reads what a reconnecting client missed; live
   * notifications arriving meanwhile are held and sent after it, each id at most once.
   */
  async open(
    userId: string,
    res: Response,
    replay: () => Promise<readonly NotificationView[]>,
  ): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.write(`retry: ${this.settings.reconnectMs ?? 2_000}\n: connected\n\n`);

    const stream = new Stream(userId, res);
    let users = this.streams.get(userId);
    if (!users) this.streams.set(userId, (users = new Set()));
    users.add(stream);
    this.gauge.set(++this.count);
    const maxAge = setTimeout(() => stream.close(), this.settings.maxAgeMs);
    maxAge.unref();
    res.once('close', () => {
      clearTimeout(maxAge);
      const set = this.streams.get(userId);
      if (set?.delete(stream)) {
        if (set.size === 0) this.streams.delete(userId);
        this.gauge.set(--this.count);
      }
    });
    try {
      stream.replay(await replay());
    } catch (error) {
      stream.close(); // the client reconnects with the same Last-Event-ID and tries again
      throw error;
    }
  }

  /** Whether `userId` has a stream open on this instance. */
  watching(userId: string): boolean {
    return this.streams.has(userId);
  }

  /** Hands a notification to this instance's streams of `userId` (none: nothing to do). */
  push(userId: string, notification: NotificationView): number {
    const set = this.streams.get(userId);
    for (const stream of set ?? []) stream.push(notification);
    return set?.size ?? 0;
  }

  /** Tells this instance's streams of these readers that their home timelines got posts. */
  timelineUpdated(userIds: readonly string[]): void {
    for (const userId of userIds)
      for (const stream of this.streams.get(userId) ?? []) stream.timelineUpdated();
  }

  /** Ends every stream (clients reconnect elsewhere) and stops the heartbeat. */
  close(): void {
    clearInterval(this.heartbeat);
    this.each((s) => s.close());
  }

  private each(act: (stream: Stream) => void): void {
    for (const set of this.streams.values()) for (const stream of set) act(stream);
  }
}
