import type { AppAddress } from '../app-channel.js';
import type { Components } from '../components/registry.js';
import type { Subscription } from '../pubsub/subscriptions.js';
import { ApiError, sendEmpty, sendJson } from './errors.js';
import type { Router } from './router.js';

/** The version this sidecar's behaviour is modelled on (see docs/reference/dapr-http-api.md). */
export const RUNTIME_VERSION = '1.17.0-flock';

export interface MetaState {
  appId: string;
  app: AppAddress | undefined;
  components: Components;
  subscriptions(): Subscription[];
  /** Components loaded and the HTTP server up. */
  outboundReady(): boolean;
  /** …and the app channel connected (or there is no app). */
  ready(): boolean;
  /** `PUT /v1.0/metadata/{key}` values, reported under `extended`. */
  extended: Map<string, string>;
  shutdown(): void;
}

/** Health, metadata and shutdown (daprd healthz.go, metadata.go). */
export function registerMetaRoutes(router: Router, s: MetaState): void {
  router.add(['GET'], '/v1.0/healthz', async (req, res) => {
    const appid = req.query.get('appid');
    if (appid && appid !== s.appId)
      throw new ApiError(500, 'ERR_HEALTH_APPID_NOT_MATCH', 'dapr app-id does not match');
    if (!s.ready()) throw new ApiError(500, 'ERR_HEALTH_NOT_READY', 'dapr is not ready');
    sendEmpty(res);
  });

  router.add(['GET'], '/v1.0/healthz/outbound', async (_req, res) => {
    if (!s.outboundReady())
      throw new ApiError(500, 'ERR_OUTBOUND_HEALTH_NOT_READY', 'dapr outbound is not ready');
    sendEmpty(res);
  });

  // The JS SDK's start() polls this as its readiness probe, so it answers from the first moment.
  router.add(['GET'], '/v1.0/metadata', async (_req, res) => {
    const components = s.components.all();
    const subscriptions = s.subscriptions().map((sub) => ({
      pubsubname: sub.pubsubname,
      topic: sub.topic,
      ...(Object.keys(sub.metadata).length > 0 ? { metadata: sub.metadata } : {}),
      rules: sub.rules,
      ...(sub.deadLetterTopic ? { deadLetterTopic: sub.deadLetterTopic } : {}),
      type: 'PROGRAMMATIC',
    }));
    sendJson(res, 200, {
      id: s.appId,
      runtimeVersion: RUNTIME_VERSION,
      enabledFeatures: [],
      ...(components.length > 0 ? { components } : {}),
      extended: { daprRuntimeVersion: RUNTIME_VERSION, ...Object.fromEntries(s.extended) },
      ...(subscriptions.length > 0 ? { subscriptions } : {}),
      appConnectionProperties: {
        ...(s.app ? { port: s.app.port, channelAddress: s.app.host } : {}),
        protocol: 'http',
      },
    });
  });

  router.add(['PUT'], '/v1.0/metadata/:key', async (req, res) => {
    s.extended.set(req.params.key as string, (await req.body()).toString('utf8'));
    sendEmpty(res);
  });

  router.add(['POST'], '/v1.0/shutdown', async (_req, res) => {
    sendEmpty(res);
    s.shutdown();
  });
}
