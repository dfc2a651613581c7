import type { ServerResponse } from 'node:http';
import type { Components, LoadedPubSub } from '../components/registry.js';
import { parseGoBool } from '../components/metadata.js';
import {
  buildEnvelope,
  EnvelopeError,
  isCloudEventContentType,
  isJsonContentType,
} from '../pubsub/cloudevent.js';
import { ApiError, sendEmpty, sendJson } from './errors.js';
import { field, optionalString, parseJsonBody, stringMap } from './json.js';
import type { RouteRequest, Router } from './router.js';

/** Publish and bulk publish (daprd onPublish / onBulkPublish). */
export function registerPubSubRoutes(router: Router, components: Components, appId: string): void {
  const target = (req: RouteRequest): { ps: LoadedPubSub; topic: string; rawPayload: boolean } => {
    if (components.pubsub.size === 0)
      throw new ApiError(400, 'ERR_PUBSUB_NOT_CONFIGURED', 'no pubsub is configured');
    const name = req.params.pubsub as string;
    const ps = components.pubsub.get(name);
    if (!ps) throw new ApiError(404, 'ERR_PUBSUB_NOT_FOUND', `pubsub ${name} not found`);
    const topic = req.params.topic ?? '';
    if (topic === '')
      throw new ApiError(404, 'ERR_TOPIC_NAME_EMPTY', `topic is empty in pubsub ${name}`);
    const raw = req.metadata.rawPayload;
    const rawPayload = raw === undefined ? false : parseGoBool(raw);
    if (rawPayload === undefined) {
      throw new ApiError(
        400,
        'ERR_PUBSUB_REQUEST_METADATA',
        `failed deserializing metadata: rawPayload "${raw}" is not a boolean`,
      );
    }
    return { ps, topic, rawPayload };
  };

  const envelope = (
    req: RouteRequest,
    ps: LoadedPubSub,
    topic: string,
    data: Buffer,
    contentType: string | undefined,
    metadata: Record<string, string>,
  ): Buffer => {
    try {
      const ce = buildEnvelope({
        pubsubName: ps.name,
        topic,
        data,
        contentType,
        metadata,
        appId,
        traceparent: header(req, 'traceparent'),
        tracestate: header(req, 'tracestate'),
      });
      return Buffer.from(JSON.stringify(ce));
    } catch (err) {
      if (err instanceof EnvelopeError)
        throw new ApiError(400, 'ERR_PUBSUB_CLOUD_EVENTS_SER', err.message);
      throw err;
    }
  };

  const bulk = async (req: RouteRequest, res: ServerResponse): Promise<void> => {
    const { ps, topic, rawPayload } = target(req);
    const body = parseJsonBody(await req.body());
    if (!Array.isArray(body))
      throw new ApiError(400, 'ERR_PUBSUB_EVENTS_SER', 'the body must be a JSON array of entries');
    const ids = new Set<string>();
    const entries = body.map((entry: unknown) => {
      const entryId = optionalString(entry, 'entryId');
      if (!entryId || ids.has(entryId)) {
        throw new ApiError(
          400,
          'ERR_PUBSUB_EVENTS_SER',
          `entryId ${entryId ? `"${entryId}" is duplicated` : 'is missing'}`,
        );
      }
      ids.add(entryId);
      const event = field(entry, 'event');
      const contentType =
        optionalString(entry, 'contentType') ??
        (typeof event === 'string' ? 'text/plain' : 'application/json');
      const metadata = { ...req.metadata, ...stringMap(entry, 'metadata') };
      const asJson =
        isJsonContentType(contentType) ||
        isCloudEventContentType(contentType) ||
        typeof event !== 'string';
      const data = Buffer.from(asJson ? JSON.stringify(event) : (event as string));
      return {
        entryId,
        metadata,
        data: rawPayload ? data : envelope(req, ps, topic, data, contentType, metadata),
      };
    });
    const failedEntries: Array<{ entryId: string; error: string }> = [];
    await Promise.all(
      entries.map((e) =>
        ps.pubsub
          .publish({ topic, data: e.data, metadata: e.metadata })
          .catch((err: unknown) =>
            failedEntries.push({ entryId: e.entryId, error: (err as Error).message }),
          ),
      ),
    );
    if (failedEntries.length > 0)
      return sendJson(res, 500, { failedEntries, errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' });
    sendEmpty(res);
  };

  // Registered before the single publish route so `/v1.0/publish/bulk/…` is not read as pubsub "bulk".
  router.add(['POST', 'PUT'], '/v1.0-alpha1/publish/bulk/:pubsub/*topic', bulk);
  router.add(['POST', 'PUT'], '/v1.0/publish/bulk/:pubsub/*topic', bulk);

  router.add(['POST', 'PUT'], '/v1.0/publish/:pubsub/*topic', async (req, res) => {
    const { ps, topic, rawPayload } = target(req);
    const body = await req.body();
    const data = rawPayload
      ? body
      : envelope(req, ps, topic, body, header(req, 'content-type'), req.metadata);
    try {
      await ps.pubsub.publish({ topic, data, metadata: req.metadata });
    } catch (err) {
      throw new ApiError(
        500,
        'ERR_PUBSUB_PUBLISH_MESSAGE',
        `error when publish to topic ${topic} in pubsub ${ps.name}: ${(err as Error).message}`,
      );
    }
    sendEmpty(res);
  });
}

function header(req: RouteRequest, name: string): string | undefined {
  const v = req.raw.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
