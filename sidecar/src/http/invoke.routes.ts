import {
  request,
  type Agent,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AppAddress } from '../app-channel.js';
import { ApiError, sendError } from './errors.js';
import type { Handler, RouteRequest, Router } from './router.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and Dapr's own routing headers never reach the target. */
const STRIPPED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'dapr-app-id',
  'dapr-api-token',
  'host',
]);

export interface InvokeDeps {
  appId: string;
  resolve(appId: string): AppAddress | undefined;
  agent: Agent;
}

/**
 * Service invocation. The caller sidecar forwards straight to the target app (daprd hops through
 * the target's sidecar; the headers the app sees are the same). Status, headers and body of the
 * app's answer stream back unchanged.
 */
export function registerInvokeRoutes(router: Router, deps: InvokeDeps): Handler {
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];
  router.add(methods, '/v1.0/invoke/:appId/method/*method', async (req, res) => {
    // The method path stays escaped exactly as the caller sent it: segments after ".../method/".
    await proxy(deps, req, res, req.params.appId as string, req.rawSegments.slice(4).join('/'));
  });

  /** daprd registers invoke as the fallback: any unmatched route goes to the `dapr-app-id` header's app. */
  return async (req, res) => {
    const target = req.raw.headers['dapr-app-id'];
    if (typeof target !== 'string' || target === '') {
      throw new ApiError(
        404,
        'ERR_DIRECT_INVOKE',
        'failed getting app id either from the URL path or the header dapr-app-id',
      );
    }
    await proxy(deps, req, res, target, req.rawSegments.join('/'));
  };
}

function proxy(
  deps: InvokeDeps,
  req: RouteRequest,
  res: ServerResponse,
  appId: string,
  methodPath: string,
): Promise<void> {
  const fail = (reason: string): ApiError =>
    new ApiError(500, 'ERR_DIRECT_INVOKE', `failed to invoke, id: ${appId}, err: ${reason}`);
  const target = deps.resolve(appId);
  if (!target) throw fail(`couldn't find service: ${appId}`);

  const query = req.query.toString();
  const headers = forwardHeaders(req, deps.appId, appId, target);
  return new Promise((resolve) => {
    const upstream = request({
      host: target.host,
      port: target.port,
      method: req.method,
      path: `/${methodPath}${query ? `?${query}` : ''}`,
      headers,
      agent: deps.agent,
    });
    upstream.on('response', (answer) => {
      const out: OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(answer.headers))
        if (!STRIPPED.has(k) && v !== undefined) out[k] = v;
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    upstream.on('error', (err) => {
      if (res.headersSent) res.destroy();
      else sendError(res, fail(err.message));
      resolve();
    });
    // The caller hung up before the answer was complete (a closed event stream): hang up on the
    // app too, so it notices instead of streaming into the void.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.raw.pipe(upstream);
  });
}

function forwardHeaders(
  req: RouteRequest,
  callerId: string,
  calleeId: string,
  target: AppAddress,
): OutgoingHttpHeaders {
  const incoming: IncomingHttpHeaders = req.raw.headers;
  const headers: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(incoming))
    if (!STRIPPED.has(k) && v !== undefined) headers[k] = v;
  const client = req.raw.socket.remoteAddress ?? '';
  const host = incoming.host ?? '';
  headers['dapr-caller-app-id'] = callerId;
  headers['dapr-callee-app-id'] = calleeId;
  headers['x-forwarded-for'] = incoming['x-forwarded-for']
    ? `${String(incoming['x-forwarded-for'])}, ${client}`
    : client;
  headers['x-forwarded-host'] = host;
  headers.forwarded = `for=${client};by=${req.raw.socket.localAddress ?? ''};host=${host}`;
  if (target.appApiToken) headers['dapr-api-token'] = target.appApiToken;
  return headers;
}
