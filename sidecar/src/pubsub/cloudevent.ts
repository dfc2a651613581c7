import { randomUUID } from 'node:crypto';
import { rfc3339 } from '../time.js';

/** A CloudEvent as Dapr builds and delivers it (JSON map; unknown extension fields are kept). */
export type CloudEvent = Record<string, unknown>;

export const EVENT_TYPE = 'com.dapr.event.sent';

/** The request data a publish turns into an envelope. */
export interface EnvelopeInput {
  pubsubName: string;
  topic: string;
  data: Buffer;
  contentType: string | undefined;
  /** Request metadata (`metadata.*` query params): `cloudevent.*` overrides and `ttlInSeconds`. */
  metadata: Record<string, string>;
  appId: string;
  traceparent: string | undefined;
  tracestate: string | undefined;
}

/** Malformed input, reported as 400 by the publish route. */
export class EnvelopeError extends Error {}

export function isCloudEventContentType(ct: string | undefined): boolean {
  return mediaType(ct) === 'application/cloudevents+json';
}

export function isJsonContentType(ct: string | undefined): boolean {
  const t = mediaType(ct);
  return t === 'application/json' || t.endsWith('+json');
}

/**
 * Dapr's NewCloudEventsEnvelope / FromCloudEvent: wraps the payload, or completes an envelope the
 * caller sent as `application/cloudevents+json` (topic and pubsubname always overwritten, a missing
 * `id` is not generated).
 */
export function buildEnvelope(input: EnvelopeInput): CloudEvent {
  const traceparent = input.traceparent ?? '';
  let ce: CloudEvent;
  if (isCloudEventContentType(input.contentType)) {
    const parsed = parseJson(input.data);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new EnvelopeError('the body is not a JSON CloudEvent object');
    }
    ce = parsed as CloudEvent;
    ce.source ??= 'Dapr';
    ce.type ??= EVENT_TYPE;
    ce.specversion ??= '1.0';
    ce.time ??= rfc3339(new Date());
    if (ce.traceid === undefined) {
      ce.traceid = traceparent;
      ce.traceparent = traceparent;
    }
    ce.tracestate ??= input.tracestate ?? '';
  } else {
    const contentType = input.contentType || 'text/plain';
    ce = {
      id: randomUUID(),
      source: input.appId || 'Dapr',
      type: EVENT_TYPE,
      specversion: '1.0',
      datacontenttype: contentType,
      ...encodeData(input.data, contentType),
      traceid: traceparent,
      traceparent,
      tracestate: input.tracestate ?? '',
      time: rfc3339(new Date()),
    };
  }
  ce.topic = input.topic;
  ce.pubsubname = input.pubsubName;
  for (const field of ['id', 'source', 'type', 'subject', 'traceid', 'traceparent', 'tracestate']) {
    const override = input.metadata[`cloudevent.${field}`];
    if (override !== undefined) ce[field] = override;
  }
  const ttl = input.metadata.ttlInSeconds;
  if (ttl !== undefined) {
    const seconds = Number(ttl);
    if (!Number.isInteger(seconds)) throw new EnvelopeError(`invalid ttlInSeconds "${ttl}"`);
    // Our brokers do not expire messages themselves (no MESSAGE_TTL feature), so Dapr's envelope
    // field carries it and the subscriber side drops expired events.
    if (seconds > 0) ce.expiration = rfc3339(new Date(Date.now() + seconds * 1000));
  }
  return ce;
}

/** Subscription-side wrapping of a raw (non-CloudEvent) broker payload, as Dapr's FromRawPayload. */
export function wrapRawPayload(data: Buffer, topic: string, pubsubName: string): CloudEvent {
  return {
    id: randomUUID(),
    source: 'Dapr',
    type: EVENT_TYPE,
    specversion: '1.0',
    datacontenttype: 'application/octet-stream',
    data_base64: data.toString('base64'),
    topic,
    pubsubname: pubsubName,
  };
}

export function hasExpired(ce: CloudEvent): boolean {
  return typeof ce.expiration === 'string' && Date.parse(ce.expiration) <= Date.now();
}

/** JSON → `data` as a value; octet-stream → `data_base64`; anything else → `data` as a string. */
function encodeData(data: Buffer, contentType: string): CloudEvent {
  if (isJsonContentType(contentType)) {
    const parsed = parseJson(data);
    return { data: parsed === undefined ? data.toString('utf8') : parsed };
  }
  if (mediaType(contentType) === 'application/octet-stream')
    return { data_base64: data.toString('base64') };
  return { data: data.toString('utf8') };
}

function parseJson(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
}

function mediaType(ct: string | undefined): string {
  return (ct ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
