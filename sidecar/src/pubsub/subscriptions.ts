import type { Logger } from '@flock/kit';
import { appHeaders, appUrl, type AppAddress } from '../app-channel.js';
import { resourceDocuments } from '../components/load.js';
import { BULK_DEFAULTS, type BulkSettings } from './bulk-delivery.js';
import { compileRoute } from './routing.js';

/** A programmatic subscription as the sidecar runs it (and reports it in /v1.0/metadata). */
export interface Subscription {
  pubsubname: string;
  topic: string;
  metadata: Record<string, string>;
  /** Routing rules in order; the default route is the final `match: ""` rule. */
  rules: Array<{ match: string; path: string }>;
  deadLetterTopic?: string;
  /** Present when `bulkSubscribe.enabled`: events reach the app in batches (bulk-delivery.ts). */
  bulk?: BulkSettings;
}

/**
 * Reads the app's `GET /dapr/subscribe` (v1 `route`, v2 `routes.rules` with CEL matches +
 * `routes.default`), `bulkSubscribe`. 404 means "no subscriptions"; other failures are logged and leave none.
 */
export async function discoverSubscriptions(
  app: AppAddress,
  appId: string,
  logger: Logger,
): Promise<Subscription[]> {
  const headers = { 'content-type': 'application/json', ...appHeaders(appId, app) };
  // daprd asks for the actor config first; Flock has no actors, so the answer is not used.
  await fetch(appUrl(app, '/dapr/config'), { headers })
    .then((r) => r.arrayBuffer())
    .catch(() => undefined);
  let res: Response;
  try {
    res = await fetch(appUrl(app, '/dapr/subscribe'), { headers });
  } catch (err) {
    logger.error({ err }, 'GET /dapr/subscribe failed; the app has no subscriptions');
    return [];
  }
  const text = await res.text();
  if (res.status === 404) return [];
  if (res.status !== 200) {
    logger.error(
      { status: res.status, body: text },
      'GET /dapr/subscribe failed; the app has no subscriptions',
    );
    return [];
  }
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    logger.error(
      { body: text },
      'GET /dapr/subscribe returned invalid JSON; the app has no subscriptions',
    );
    return [];
  }
  return (Array.isArray(list) ? list : []).flatMap((raw: unknown) => {
    const sub = toSubscription(raw, logger);
    return sub ? [sub] : [];
  });
}

/**
 * The declarative `Subscription` resources of a resources folder that apply to `appId` (no
 * `scopes`, or `appId` among them): dapr.io/v1alpha1 with `spec.route`, v2alpha1 with
 * `spec.routes`. daprd runs them beside the app's own `/dapr/subscribe`.
 */
export async function loadSubscriptions(
  dir: string,
  appId: string,
  logger: Logger,
): Promise<Subscription[]> {
  const out: Subscription[] = [];
  for (const { resource, file } of await resourceDocuments(dir)) {
    if (resource.kind !== 'Subscription') continue;
    const scopes = Array.isArray(resource.scopes) ? resource.scopes.map(String) : [];
    if (scopes.length > 0 && !scopes.includes(appId)) continue;
    const sub = toSubscription(resource.spec, logger.child({ file }));
    if (sub) out.push(sub);
  }
  return out;
}

function toSubscription(raw: unknown, logger: Logger): Subscription | undefined {
  const s = raw as Record<string, unknown>;
  if (typeof s?.pubsubname !== 'string' || typeof s.topic !== 'string') {
    logger.warn({ subscription: raw }, 'subscription without pubsubname/topic skipped');
    return undefined;
  }
  const routes = (s.routes ?? {}) as {
    rules?: Array<{ match?: unknown; path?: unknown }>;
    default?: unknown;
  };
  const rules: Subscription['rules'] = [];
  for (const rule of Array.isArray(routes.rules) ? routes.rules : []) {
    if (typeof rule.path !== 'string') continue;
    rules.push({ match: typeof rule.match === 'string' ? rule.match : '', path: rule.path });
  }
  const fallback = typeof routes.default === 'string' && routes.default ? routes.default : s.route;
  if (typeof fallback === 'string' && fallback) rules.push({ match: '', path: fallback });
  if (rules.length === 0) {
    logger.warn(
      { pubsubname: s.pubsubname, topic: s.topic },
      'subscription without a route skipped',
    );
    return undefined;
  }
  try {
    compileRoute(rules);
  } catch (err) {
    logger.error(
      { err, pubsubname: s.pubsubname, topic: s.topic },
      'subscription with an invalid routing rule skipped',
    );
    return undefined;
  }
  const metadata: Record<string, string> = {};
  if (typeof s.metadata === 'object' && s.metadata !== null) {
    for (const [k, v] of Object.entries(s.metadata))
      metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const bulk = s.bulkSubscribe as
    { enabled?: unknown; maxMessagesCount?: unknown; maxAwaitDurationMs?: unknown } | undefined;
  const positive = (v: unknown, fallback: number) =>
    typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
  return {
    pubsubname: s.pubsubname,
    topic: s.topic,
    metadata,
    rules,
    ...(bulk?.enabled === true
      ? {
          bulk: {
            maxMessagesCount: positive(bulk.maxMessagesCount, BULK_DEFAULTS.maxMessagesCount),
            maxAwaitDurationMs: positive(bulk.maxAwaitDurationMs, BULK_DEFAULTS.maxAwaitDurationMs),
          },
        }
      : {}),
    ...(typeof s.deadLetterTopic === 'string' && s.deadLetterTopic
      ? { deadLetterTopic: s.deadLetterTopic }
      : {}),
  };
}
