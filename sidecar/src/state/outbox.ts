import { randomUUID } from 'node:crypto';
import type { Logger } from '@flock/kit';
import type { Components, LoadedStateStore } from '../components/registry.js';
import { buildEnvelope, type CloudEvent } from '../pubsub/cloudevent.js';
import type { SetRequest, TransactionOperation } from './store.js';

/**
 * The transactional outbox (Dapr 1.12+ `outboxPublishPubsub` / `outboxPublishTopic`): every upsert
 * of a transaction on such a store is published as a CloudEvent (source = app-id) to that topic,
 * only if the transaction commits. Crash safety: the event is written as a record
 * `<keyPrefix>||outbox||<event id>` inside the same transaction; after the commit it is published
 * and the record deleted. Records left behind (a sidecar killed between commit and publish, a
 * broker down) are published on the next start and by a periodic sweep. At-least-once: the event
 * id is fixed in the record, so consumers dedupe a republished event by its CloudEvent id.
 */
export interface OutboxRecord {
  pubsub: string;
  topic: string;
  event: CloudEvent;
  createdAt: number;
}

export interface PendingOutbox {
  store: LoadedStateStore;
  records: Array<{ key: string; record: OutboxRecord }>;
}

/** A test seam: runs after the commit, before anything is published (throw = "crash"). */
export type AfterCommitHook = () => Promise<void>;

const SWEEP_MS = 10_000;

export class Outbox {
  private timer: NodeJS.Timeout | undefined;
  private readonly publishing = new Set<string>();

  constructor(
    private readonly components: Components,
    private readonly appId: string,
    private readonly logger: Logger,
  ) {}

  /** Startup check: every outbox names a pub/sub this sidecar loaded, on a store that can scan. */
  validate(): void {
    for (const s of this.components.state.values()) {
      if (!s.outbox) continue;
      if (!this.components.pubsub.has(s.outbox.pubsub))
        throw new Error(
          `state store "${s.name}": outboxPublishPubsub "${s.outbox.pubsub}" is not a loaded pub/sub component`,
        );
      if (!s.store.scan)
        throw new Error(`state store "${s.name}" (${s.type}) cannot host a transactional outbox`);
    }
  }

  /** The records to add to the transaction, one per upsert. */
  prepare(
    s: LoadedStateStore,
    ops: TransactionOperation[],
    trace: { traceparent?: string; tracestate?: string },
  ): PendingOutbox | undefined {
    if (!s.outbox) return undefined;
    const { pubsub, topic } = s.outbox;
    const records = ops
      .filter((op): op is { operation: 'upsert'; request: SetRequest } => op.operation === 'upsert')
      .map((op) => {
        const event = buildEnvelope({
          pubsubName: pubsub,
          topic,
          data: op.request.value,
          contentType: 'application/json',
          metadata: {},
          appId: this.appId,
          traceparent: trace.traceparent,
          tracestate: trace.tracestate,
        });
        const id = randomUUID();
        event.id = id;
        return {
          key: outboxPrefix(s) + id,
          record: { pubsub, topic, event, createdAt: Date.now() },
        };
      });
    return { store: s, records };
  }

  /** The extra operations that write the records inside the transaction. */
  static operations(pending: PendingOutbox): TransactionOperation[] {
    return pending.records.map(({ key, record }) => ({
      operation: 'upsert',
      request: { key, value: Buffer.from(JSON.stringify(record)) },
    }));
  }

  /** After the commit: publish each event, then delete its record. */
  async flush(pending: PendingOutbox): Promise<void> {
    for (const { key, record } of pending.records)
      await this.publishOne(pending.store, key, record);
  }

  /** Publishes every record left in the stores (older than `minAgeMs`). */
  async recover(minAgeMs = 0): Promise<number> {
    let published = 0;
    for (const s of this.components.state.values()) {
      if (!s.outbox || !s.store.scan) continue;
      for (const item of await s.store.scan(outboxPrefix(s))) {
        let record: OutboxRecord;
        try {
          record = JSON.parse(item.data.toString('utf8')) as OutboxRecord;
        } catch {
          continue;
        }
        if (Date.now() - record.createdAt < minAgeMs) continue;
        await this.publishOne(s, item.key, record).then(
          () => published++,
          (err: unknown) =>
            this.logger.warn(
              { err: (err as Error).message, store: s.name },
              'outbox record not published yet; will retry',
            ),
        );
      }
    }
    if (published > 0) this.logger.info({ published }, 'outbox: pending records published');
    return published;
  }

  /** Recovery now, then a periodic sweep for records whose publish failed. */
  start(): void {
    if (![...this.components.state.values()].some((s) => s.outbox)) return;
    void this.recover().catch((err: unknown) =>
      this.logger.warn({ err: (err as Error).message }, 'outbox recovery failed'),
    );
    this.timer = setInterval(() => {
      this.recover(SWEEP_MS).catch(() => undefined);
    }, SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async publishOne(s: LoadedStateStore, key: string, record: OutboxRecord): Promise<void> {
    if (this.publishing.has(key)) return;
    this.publishing.add(key);
    try {
      const ps = this.components.pubsub.get(record.pubsub);
      if (!ps) throw new Error(`pubsub ${record.pubsub} is not loaded`);
      await ps.pubsub.publish({
        topic: record.topic,
        data: Buffer.from(JSON.stringify(record.event)),
        metadata: {},
      });
      await s.store.delete({ key });
    } finally {
      this.publishing.delete(key);
    }
  }
}

function outboxPrefix(s: LoadedStateStore): string {
  return `${s.keyPrefix}||outbox||`;
}
