import { randomInt, randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import type { Logger } from '../logger.js';
import { WriteConflict } from './errors.js';
import type { StateStore, TransactionOperation } from './state.js';

/**
 * The transactional outbox, at the application level: the events a write implies are stored in
 * the SAME state transaction as the write, published after the commit, then removed. If the
 * process dies in between, a relay publishes what is left. Delivery is at least once; the event
 * id is the CloudEvent id, so consumers dedupe redeliveries.
 *
 * It needs only what every transactional Dapr state store has: no query API, which daprd offers
 * on few stores (not on Redis without RediSearch, not on Postgres v2). Records live in a fixed
 * ring of slot keys, `outbox:0` … `outbox:<slots-1>`: a commit writes its record into a free slot
 * insert-only, so two writers can never share one, and the relay finds leftovers by reading every
 * slot with bulk gets. The ring bounds the backlog: while the broker is down, writes succeed until
 * every slot holds an unpublished record, then they are refused (503) instead of piling up.
 *
 * Why not daprd's own outbox (`outboxPublishPubsub`)? It publishes each upsert of a transaction
 * to one topic per store and nothing for deletes; Flock needs one message per domain event, on
 * the event's own topic, deletes included (docs/architecture.md, "Events").
 */
export interface OutboxRecord {
  kind: 'outbox';
  /** Tells this record from a later one in the same slot. */
  id: string;
  events: DomainEvent[];
  writtenAt: string;
}

export type Publish = (event: DomainEvent) => Promise<void>;

export const OUTBOX_SLOTS = 1024;
const SLOT_PREFIX = 'outbox:';
const slotKey = (slot: number) => `${SLOT_PREFIX}${slot}`;
/** Records younger than this belong to a commit that is still publishing them. */
const RELAY_MIN_AGE_MS = 10_000;
/** Slots tried per commit before the ring counts as full. */
const CLAIM_ATTEMPTS = 8;
const SCAN_BATCH = 256;

export class Outbox {
  /** Slots this process is writing or publishing right now. */
  private readonly held = new Set<number>();
  /** Slots the last relay pass found occupied: a commit avoids them. */
  private occupied = new Set<number>();

  constructor(
    private readonly state: StateStore,
    private readonly publish: Publish,
    private readonly log: Logger,
    private readonly slots = OUTBOX_SLOTS,
  ) {}

  /** Commits `operations` and the events' outbox record atomically, then publishes the events. */
  async commit(
    operations: readonly TransactionOperation[],
    events: readonly DomainEvent[],
  ): Promise<void> {
    if (events.length === 0) return this.state.transact(operations);
    const record: OutboxRecord = {
      kind: 'outbox',
      id: randomUUID(),
      events: [...events],
      writtenAt: new Date().toISOString(),
    };
    for (let attempt = 1; ; attempt++) {
      const slot = this.claim();
      try {
        await this.state.transact([
          ...operations,
          { operation: 'upsert', key: slotKey(slot), value: record, concurrency: 'first-write' },
        ]);
      } catch (error) {
        this.held.delete(slot);
        // A WriteConflict is the caller's lost race unless the slot, not the caller's keys, was
        // taken: another instance claimed it, or it holds a record waiting for the relay.
        const slotTaken =
          error instanceof WriteConflict && (await this.state.get(slotKey(slot))) !== undefined;
        if (!slotTaken) throw error;
        this.occupied.add(slot);
        if (attempt === CLAIM_ATTEMPTS) throw outboxFull();
        continue;
      }
      const started = Date.now();
      await this.deliver(slot, record, started);
      return;
    }
  }

  /** Every record in the ring, oldest first (also the relay's view). */
  async pending(): Promise<Array<{ slot: number; record: OutboxRecord; etag: string }>> {
    const found: Array<{ slot: number; record: OutboxRecord; etag: string }> = [];
    for (let first = 0; first < this.slots; first += SCAN_BATCH) {
      const keys = Array.from({ length: Math.min(SCAN_BATCH, this.slots - first) }, (_, i) =>
        slotKey(first + i),
      );
      for (const entry of (await this.state.getMany<OutboxRecord>(keys)).values()) {
        found.push({
          slot: Number(entry.key.slice(SLOT_PREFIX.length)),
          record: entry.value,
          etag: entry.etag,
        });
      }
    }
    return found.sort((a, b) => a.record.writtenAt.localeCompare(b.record.writtenAt));
  }

  /** Publishes and clears records a crashed or failed commit left behind; returns the events sent. */
  async relay(minAgeMs = RELAY_MIN_AGE_MS): Promise<number> {
    const cutoff = Date.now() - minAgeMs;
    const pending = await this.pending();
    this.occupied = new Set(pending.map((p) => p.slot));
    let published = 0;
    for (const { slot, record, etag } of pending) {
      if (this.held.has(slot) || Date.parse(record.writtenAt) > cutoff) continue;
      if (!(await this.publishAll(record))) continue;
      published += record.events.length;
      // Guarded by the etag read: a slot freed and claimed again meanwhile keeps its new record.
      await this.free(slot, etag);
    }
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

  /** A random slot neither held here nor seen occupied: instances rarely pick the same one. */
  private claim(): number {
    const busy = this.held.size + this.occupied.size;
    for (let tries = 0; tries < 32 && busy < this.slots; tries++) {
      const slot = randomInt(this.slots);
      if (!this.held.has(slot) && !this.occupied.has(slot)) {
        this.held.add(slot);
        return slot;
      }
    }
    for (let slot = 0; slot < this.slots; slot++) {
      if (!this.held.has(slot)) {
        this.held.add(slot);
        return slot;
      }
    }
    throw outboxFull();
  }

  private async deliver(slot: number, record: OutboxRecord, started: number): Promise<void> {
    try {
      if (!(await this.publishAll(record))) return; // the record stays; the relay retries it
      if (Date.now() - started < RELAY_MIN_AGE_MS / 2) {
        // No relay touches a record this young, so the slot still holds this record.
        await this.free(slot);
      } else {
        const current = await this.state.get<OutboxRecord>(slotKey(slot));
        if (current?.value.id === record.id) await this.free(slot, current.etag);
      }
    } catch (error) {
      // The write committed; a slot left occupied is only cleared later by the relay.
      this.log.warn({ err: error, slot }, 'outbox slot not cleared; the relay will');
    } finally {
      this.held.delete(slot);
    }
  }

  private async publishAll(record: OutboxRecord): Promise<boolean> {
    for (const event of record.events) {
      try {
        await this.publish(event);
      } catch (error) {
        this.log.warn(
          { err: error, eventId: event.id, topic: event.topic },
          'event publish deferred to the outbox relay',
        );
        return false;
      }
    }
    return true;
  }

  private async free(slot: number, etag?: string): Promise<void> {
    try {
      await this.state.delete(slotKey(slot), etag === undefined ? {} : { etag });
      this.occupied.delete(slot);
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error;
    }
  }
}

function outboxFull(): AppError {
  return new AppError(
    'event-backlog-full',
    'Events of earlier writes are still waiting for the event bus; try again shortly.',
    503,
    { headers: { 'Retry-After': '5' } },
  );
}

export const newEventId = () => randomUUID();
