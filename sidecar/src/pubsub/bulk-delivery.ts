import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@flock/kit';
import { postToApp, type AppAnswer } from '../app-channel.js';
import type { CloudEvent } from './cloudevent.js';
import type { DeliveryDeps } from './delivery.js';
import type { BrokerMessage } from './pubsub.js';
import { retriesBeforeGivingUp } from './retry.js';

/** Settings of a bulk subscription (`bulkSubscribe`), with daprd's defaults. */
export interface BulkSettings {
  maxMessagesCount: number;
  maxAwaitDurationMs: number;
}

export const BULK_DEFAULTS: BulkSettings = { maxMessagesCount: 100, maxAwaitDurationMs: 1000 };

interface Entry {
  entryId: string;
  msg: BrokerMessage;
  event: CloudEvent;
  settle(error?: Error): void;
}

export type Send = (msg: BrokerMessage, event: CloudEvent, path: string) => Promise<void>;
export type DeadLetter = (msg: BrokerMessage, reason: string) => Promise<void>;

/**
 * Bulk subscribe as daprd's default bulk subscriber does it: messages for one route are gathered
 * until `maxMessagesCount` or `maxAwaitDurationMs`, then POSTed as one envelope
 * (`type: com.dapr.event.sent.bulk`, `entries[]`). The app answers a status per entry: SUCCESS
 * acks, DROP dead-letters, RETRY / none / unknown fails that entry alone; a 404 drops them all,
 * any other failure fails them all. Failed entries are sent again under the component's retry
 * policy, then dead-lettered or handed back to the broker. Brokers that deliver one message at
 * a time (in-memory) make batches of one, as on daprd.
 */
export function bulkSender(
  deps: DeliveryDeps,
  settings: BulkSettings,
  deadLetter: DeadLetter,
  log: Logger,
): Send {
  const pending = new Map<string, { entries: Entry[]; timer: NodeJS.Timeout }>();

  const flush = (path: string): void => {
    const batch = pending.get(path);
    if (!batch) return;
    pending.delete(path);
    clearTimeout(batch.timer);
    void deliverWithRetries(path, batch.entries);
  };

  const deliverWithRetries = async (path: string, entries: Entry[]): Promise<void> => {
    let failed = entries;
    const retries = retriesBeforeGivingUp(deps.component.retry, deps.sub.deadLetterTopic);
    for (let attempt = 0; failed.length > 0; attempt++) {
      failed = await post(path, failed);
      if (failed.length === 0) return;
      if (attempt >= retries) break;
      try {
        await sleep(deps.component.retry.delayMs(attempt), undefined, { signal: deps.signal });
      } catch {
        break; // stopping: the broker keeps what is left
      }
    }
    const reason = `bulk delivery to ${path} failed`;
    for (const entry of failed) {
      if (deps.sub.deadLetterTopic) await deadLetter(entry.msg, reason).then(() => entry.settle());
      else entry.settle(new Error(reason));
    }
  };

  /** One POST of `entries`; resolves with those to send again. */
  const post = async (path: string, entries: Entry[]): Promise<Entry[]> => {
    const { sub } = deps;
    const envelope = {
      entries: entries.map((e) => ({
        entryId: e.entryId,
        event: e.event,
        metadata: Object.keys(e.msg.metadata).length > 0 ? e.msg.metadata : null,
        contentType: 'application/cloudevents+json',
      })),
      id: randomUUID(),
      metadata: { pubsubName: sub.pubsubname },
      pubsubname: sub.pubsubname,
      topic: sub.topic,
      type: 'com.dapr.event.sent.bulk',
    };
    const headers = {
      'content-type': 'application/json',
      pubsubname: sub.pubsubname,
      ...(deps.app.appApiToken ? { 'dapr-api-token': deps.app.appApiToken } : {}),
    };
    let answer: AppAnswer;
    try {
      answer = await postToApp(
        deps.agent,
        deps.app,
        path,
        headers,
        JSON.stringify(envelope),
        deps.component.retry.timeoutMs,
      );
    } catch (err) {
      log.warn({ err, path }, 'bulk delivery failed: app unreachable; will retry');
      return entries;
    }
    if (answer.status === 404) {
      log.error({ path }, 'bulk delivery answered 404: the entries are dropped');
      for (const entry of entries) entry.settle();
      return [];
    }
    if (answer.status < 200 || answer.status > 299) {
      log.warn({ status: answer.status, path }, 'bulk delivery failed; will retry');
      return entries;
    }
    let statuses: Map<string, unknown>;
    try {
      const parsed = JSON.parse(answer.text) as { statuses?: Array<Record<string, unknown>> };
      statuses = new Map((parsed.statuses ?? []).map((s) => [String(s.entryId), s.status]));
    } catch {
      log.warn({ path }, 'bulk delivery answer is not JSON; will retry');
      return entries;
    }
    const again: Entry[] = [];
    for (const entry of entries) {
      const status = statuses.get(entry.entryId);
      if (status === 'SUCCESS') entry.settle();
      else if (status === 'DROP') {
        await deadLetter(entry.msg, 'the app dropped the entry');
        entry.settle();
      } else again.push(entry);
    }
    return again;
  };

  return (msg, event, path) =>
    new Promise<void>((resolve, reject) => {
      const entry: Entry = {
        entryId: randomUUID(),
        msg,
        event,
        settle: (error) => (error ? reject(error) : resolve()),
      };
      const batch = pending.get(path) ?? {
        entries: [],
        timer: setTimeout(() => flush(path), settings.maxAwaitDurationMs),
      };
      pending.set(path, batch);
      batch.entries.push(entry);
      if (batch.entries.length >= settings.maxMessagesCount) flush(path);
    });
}
