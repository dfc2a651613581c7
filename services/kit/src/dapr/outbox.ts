import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../events.js';
import type { Logger } from '../logger.js';
import type { StateStore, TransactionOperation } from './state.js';

/**
 * The transactional outbox, at the application level: the events a write implies are stored in
 * the SAME state transaction as the write (`outbox:<eventId>`), published after the commit, then
 * removed. If the process dies in between, the relay publishes what is left on its next pass.
 * Delivery is at least once; the event id is the CloudEvent id, so consumers dedupe redeliveries.
 *
 * Why not daprd's own outbox (`outboxPublishTopic`)? It publishes every upsert of a transaction
 * to one topic per store and nothing for deletes; Flock needs one message per domain event, on
 * the event's own topic, deletes included.
 */
const OUTBOX_PREFIX = 'outbox:';

interface OutboxRecord {
  kind: 'outbox';
  event: DomainEvent;
  writtenAt: string;
}

export type Publish = (event: DomainEvent) => Promise<void>;

export class Outbox {
  constructor(
    private readonly state: StateStore,
    private readonly publish: Publish,
    private readonly log: Logger,
  ) {}

  /** Commits `operations` and the events' outbox records atomically, then publishes the events. */
  async commit(
    operations: readonly TransactionOperation[],
    events: readonly DomainEvent[],
  ): Promise<void> {
    const records: TransactionOperation[] = events.map((event) => ({
      operation: 'upsert',
      key: `${OUTBOX_PREFIX}${event.id}`,
      value: { kind: 'outbox', event, writtenAt: new Date().toISOString() } satisfies OutboxRecord,
    }));
    await this.state.transact([...operations, ...records]);
    for (const event of events) await this.deliver(event);
  }

  /** Publishes and clears records a crashed or failed commit left behind; returns how many. */
  async relay(olderThanMs = 5_000): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let published = 0;
    let token: string | undefined;
    do {
      const page = await this.state.query<OutboxRecord>({
        filter: { EQ: { kind: 'outbox' } },
        sort: [{ key: 'writtenAt', order: 'ASC' }],
        page: { limit: 100, ...(token ? { token } : {}) },
      });
      for (const { value } of page.results) {
        // Young records belong to a commit that is still publishing them.
        if (Date.parse(value.writtenAt) > cutoff) continue;
        if (await this.deliver(value.event)) published++;
      }
      token = page.token;
    } while (token);
    return published;
  }

  /** Runs the relay every `intervalMs` until the returned stop function is called. */
  startRelay(intervalMs = 10_000): () => void {
    const timer = setInterval(() => {
      this.relay().catch((error: unknown) =>
        this.log.warn({ err: error }, 'outbox relay pass failed'),
      );
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async deliver(event: DomainEvent): Promise<boolean> {
    try {
      await this.publish(event);
      await this.state.delete(`${OUTBOX_PREFIX}${event.id}`);
      return true;
    } catch (error) {
      // The record stays; the relay retries it. The caller's write already succeeded.
      this.log.warn(
        { err: error, eventId: event.id, topic: event.topic },
        'event publish deferred to the outbox relay',
      );
      return false;
    }
  }
}

export const newEventId = () => randomUUID();
