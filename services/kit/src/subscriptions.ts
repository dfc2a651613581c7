import express, { type Router } from 'express';
import { z } from 'zod';
import { classify } from './errors.js';
import { WriteConflict } from './dapr/errors.js';
import { EVENTS, type EventPayload, type Topic } from './events.js';
import type { Logger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';
import { PUBSUB } from './names.js';

export type Outcome = 'SUCCESS' | 'RETRY' | 'DROP';

/** The CloudEvent Dapr delivers; `data` is validated by the subscription's schema. */
export interface DeliveredEvent<T> {
  id: string;
  source: string;
  type: string;
  topic: string;
  time?: string;
  traceparent?: string;
  data: T;
}

export interface Subscription<T = unknown> {
  topic: string;
  pubsubName?: string;
  deadLetterTopic?: string;
  /** Validates `data`. An event that fails is poison: dropped (to the dead-letter topic), never retried. */
  schema: z.ZodType<T>;
  /** Resolve (or return SUCCESS) when done. Throwing a 4xx AppError drops the event; anything else retries it. */
  handle(event: DeliveredEvent<T>, log: Logger): Promise<Outcome | void>;
}

const envelopeSchema = z.object({
  id: z.string().min(1),
  source: z.string(),
  type: z.string(),
  topic: z.string(),
  time: z.string().optional(),
  traceparent: z.string().optional(),
  data: z.unknown(),
});

/**
 * A subscription to a catalog topic: the payload schema comes from EVENTS and the handler is
 * typed by it. `on('post.created', (event) => …)` instead of spelling topic, schema and type.
 */
export function on<T extends Topic>(
  topic: T,
  handle: (event: DeliveredEvent<EventPayload<T>>, log: Logger) => Promise<Outcome | void>,
  options: { deadLetterTopic?: string; pubsubName?: string } = {},
): Subscription {
  const subscription: Subscription<EventPayload<T>> = {
    topic,
    schema: EVENTS[topic] as unknown as z.ZodType<EventPayload<T>>,
    handle,
    ...options,
  };
  // Safe: the route validates `data` with this same schema before calling `handle`.
  return subscription as unknown as Subscription;
}

export function subscriptionRoute(topic: string): string {
  return `/events/${topic.replace(/[^a-zA-Z0-9-]/g, '-')}`;
}

/**
 * Serves `GET /dapr/subscribe` and one POST route per topic. Unlike the SDK's DaprServer (which
 * acknowledges an event whose handler threw, losing it), outcomes are explicit:
 * done → SUCCESS, a poison event or a permanent (4xx) error → DROP, anything else → RETRY.
 */
export function subscriptionRoutes(
  subscriptions: readonly Subscription[],
  logger: Logger,
  metrics: ServiceMetrics,
): Router {
  const router = express.Router();
  router.get('/dapr/subscribe', (_req, res) => {
    res.json(
      subscriptions.map((s) => ({
        pubsubname: s.pubsubName ?? PUBSUB,
        topic: s.topic,
        route: subscriptionRoute(s.topic),
        ...(s.deadLetterTopic ? { deadLetterTopic: s.deadLetterTopic } : {}),
      })),
    );
  });
  for (const subscription of subscriptions) {
    router.post(subscriptionRoute(subscription.topic), async (req, res) => {
      const stop = metrics.eventDuration.startTimer();
      const outcome = await deliver(
        subscription,
        req.body,
        (req as { log?: Logger }).log ?? logger,
      );
      const labels = { topic: subscription.topic, outcome };
      stop(labels);
      metrics.eventsHandled.inc(labels);
      res.json({ status: outcome });
    });
  }
  return router;
}

async function deliver(subscription: Subscription, body: unknown, log: Logger): Promise<Outcome> {
  const envelope = envelopeSchema.safeParse(body);
  const data = envelope.success ? subscription.schema.safeParse(envelope.data.data) : undefined;
  if (!envelope.success || !data?.success) {
    log.warn(
      { topic: subscription.topic, issues: (envelope.error ?? data?.error)?.issues },
      'dropping malformed event',
    );
    return 'DROP';
  }
  const event = { ...envelope.data, data: data.data };
  const eventLog = log.child({ eventId: event.id, topic: subscription.topic });
  try {
    return (await subscription.handle(event, eventLog)) ?? 'SUCCESS';
  } catch (error) {
    const appError = classify(error);
    // A lost write race is transient, not the event's fault: retry it, never drop it.
    const permanent =
      appError.status >= 400 && appError.status < 500 && !(error instanceof WriteConflict);
    const outcome: Outcome = permanent ? 'DROP' : 'RETRY';
    eventLog.warn({ err: appError.options.cause ?? appError, outcome }, 'event handler failed');
    return outcome;
  }
}
