import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@flock/kit';
import type { Agent } from 'node:http';
import { postToApp, type AppAddress, type AppAnswer } from '../app-channel.js';
import type { LoadedPubSub } from '../components/registry.js';
import { parseGoBool } from '../components/metadata.js';
import { hasExpired, wrapRawPayload, type CloudEvent } from './cloudevent.js';
import type { MessageHandler } from './pubsub.js';
import { bulkSender, type DeadLetter, type Send } from './bulk-delivery.js';
import { retriesBeforeGivingUp } from './retry.js';
import { compileRoute } from './routing.js';
import type { Subscription } from './subscriptions.js';

type Outcome = 'success' | 'retry' | 'drop';

export interface DeliveryDeps {
  sub: Subscription;
  component: LoadedPubSub;
  app: AppAddress;
  /** The sidecar's connection pool to its app. */
  agent: Agent;
  logger: Logger;
  /** Aborted on stop: ends backoff waits (the message is then left to the broker). */
  signal: AbortSignal;
}

/** Header names a broker's metadata may carry onto the delivery request. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Delivers one broker message to the app route (daprd's HTTP postman), honouring the app's answer:
 * 2xx SUCCESS / empty / non-JSON → ack; 2xx RETRY or unknown status, non-2xx, connection error →
 * redeliver with exponential backoff (see retry.ts); 2xx DROP or 404 → dead-letter topic if the
 * subscription has one, else dropped. When retries run out the message is dead-lettered, or the
 * failure is handed back to the broker.
 */
export function deliveryHandler(deps: DeliveryDeps): MessageHandler {
  const { sub, component, logger } = deps;
  const log = logger.child({ pubsubname: sub.pubsubname, topic: sub.topic });
  const rawPayload = parseGoBool(sub.metadata.rawPayload ?? 'false') === true;
  const route = compileRoute(sub.rules);

  const deadLetter: DeadLetter = async (msg, reason) => {
    if (!sub.deadLetterTopic) {
      log.warn({ reason }, 'message dropped');
      return;
    }
    log.warn(
      { reason, deadLetterTopic: sub.deadLetterTopic },
      'message sent to the dead-letter topic',
    );
    await component.pubsub.publish({
      topic: sub.deadLetterTopic,
      data: msg.data,
      metadata: msg.metadata,
    });
  };

  const send = sub.bulk
    ? bulkSender(deps, sub.bulk, deadLetter, log)
    : singleSender(deps, deadLetter, log);

  return async (msg) => {
    let event: CloudEvent;
    if (rawPayload) event = wrapRawPayload(msg.data, sub.topic, sub.pubsubname);
    else {
      try {
        event = JSON.parse(msg.data.toString('utf8')) as CloudEvent;
      } catch {
        return deadLetter(msg, 'the message is not a JSON CloudEvent');
      }
    }
    if (hasExpired(event)) {
      log.warn({ id: event.id }, 'expired message dropped');
      return;
    }
    let path: string | undefined;
    try {
      path = route(event);
    } catch (err) {
      // daprd: dead-lettered when the subscription has a topic for it, else handed back.
      if (sub.deadLetterTopic) return deadLetter(msg, (err as Error).message);
      throw err;
    }
    if (!path) return deadLetter(msg, 'no route matched');
    return send(msg, event, path);
  };
}

/** One message, one POST, redelivered under the component's retry policy. */
function singleSender(deps: DeliveryDeps, deadLetter: DeadLetter, log: Logger): Send {
  const { sub, component } = deps;
  const retries = retriesBeforeGivingUp(component.retry, sub.deadLetterTopic);
  return async (msg, event, path) => {
    const body = JSON.stringify(event);
    for (let attempt = 0; ; attempt++) {
      const outcome = await post(deps, path, body, event, msg.metadata, log);
      if (outcome === 'success') return;
      if (outcome === 'drop') return deadLetter(msg, 'the app dropped the message');
      if (attempt >= retries) {
        if (sub.deadLetterTopic) return deadLetter(msg, `delivery failed ${attempt + 1} times`);
        throw new Error(`delivery to ${path} failed ${attempt + 1} times`);
      }
      await sleep(component.retry.delayMs(attempt), undefined, { signal: deps.signal });
    }
  };
}

async function post(
  deps: DeliveryDeps,
  path: string,
  body: string,
  event: CloudEvent,
  metadata: Record<string, string>,
  log: Logger,
): Promise<Outcome> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata))
    if (TOKEN.test(k) && k.toLowerCase() !== 'content-length') headers[k] = v;
  Object.assign(headers, {
    'content-type': 'application/cloudevents+json',
    pubsubname: deps.sub.pubsubname,
    ...(typeof event.traceparent === 'string' && event.traceparent
      ? { traceparent: event.traceparent }
      : {}),
    ...(typeof event.tracestate === 'string' && event.tracestate
      ? { tracestate: event.tracestate }
      : {}),
    ...(deps.app.appApiToken ? { 'dapr-api-token': deps.app.appApiToken } : {}),
  });
  let res: AppAnswer;
  try {
    res = await postToApp(
      deps.agent,
      deps.app,
      path,
      headers,
      body,
      deps.component.retry.timeoutMs,
    );
  } catch (err) {
    log.warn({ err, path }, 'delivery failed: app unreachable; will retry');
    return 'retry';
  }
  if (res.status === 404) return 'drop';
  if (res.status < 200 || res.status > 299) {
    log.warn(
      { status: res.status, path },
      'delivery failed: app answered with an error; will retry',
    );
    return 'retry';
  }
  let status: unknown;
  try {
    status = (JSON.parse(res.text) as { status?: unknown } | null)?.status;
  } catch {
    return 'success'; // a non-JSON 2xx body is an ack
  }
  if (status === undefined || status === null || status === '' || status === 'SUCCESS')
    return 'success';
  if (status === 'DROP') return 'drop';
  if (status !== 'RETRY')
    log.warn({ status, path }, 'unknown delivery status from the app; will retry');
  return 'retry';
}
