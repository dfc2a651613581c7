import {
  request,
  type Agent,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AppAddress } from '../app-channel.js';
import { CircuitOpenError, type PolicyRunner } from '../resiliency.js';
import { ApiError, sendError } from './errors.js';
import { MAX_BODY_BYTES, type Handler, type RouteRequest, type Router } from './router.js';

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
  /** The Resiliency policy for calls to `appId` (`targets.apps.<appId>`), if any. */
  policyFor(appId: string): PolicyRunner | undefined;
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

async function proxy(
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
  const call: UpstreamCall = {
    target,
    method: req.method,
    path: `/${methodPath}${req.query.toString() ? `?${req.query.toString()}` : ''}`,
    headers: forwardHeaders(req, deps.appId, appId, target),
    agent: deps.agent,
  };
  const policy = deps.policyFor(appId);
  if (!policy) return stream(call, req, res, fail);
  // Under a policy the request is buffered so it can be sent again, and an answer that is not
  // 2xx/3xx is buffered so the policy may retry it (daprd does the same); a success streams.
  const body = await readAll(req.raw, MAX_BODY_BYTES).catch((err: Error) => {
    throw fail(err.message);
  });
  let answer: IncomingMessage;
  try {
    // A 4xx is the caller's mistake, not the app's health: not retried, not held against it.
    const callerMistake = (err: unknown) => err instanceof FailedAnswer && err.status < 500;
    answer = await policy.run(() => attempt(call, body, policy.policy.timeoutMs), callerMistake);
  } catch (err) {
    if (err instanceof FailedAnswer) {
      res.writeHead(err.status, err.headers).end(err.body);
      return;
    }
    throw fail(
      err instanceof CircuitOpenError ? 'circuit breaker is open' : (err as Error).message,
    );
  }
  await pipeAnswer(answer, res);
}

interface UpstreamCall {
  target: AppAddress;
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  agent: Agent;
}

const open = (call: UpstreamCall) =>
  request({
    host: call.target.host,
    port: call.target.port,
    method: call.method,
    path: call.path,
    headers: call.headers,
    agent: call.agent,
  });

function answerHeaders(answer: IncomingMessage): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(answer.headers))
    if (!STRIPPED.has(k) && v !== undefined) out[k] = v;
  return out;
}

/** Without a policy: request and answer stream straight through (event streams included). */
function stream(
  call: UpstreamCall,
  req: RouteRequest,
  res: ServerResponse,
  fail: (reason: string) => ApiError,
): Promise<void> {
  const bodyless = repeatable(req);
  return new Promise((resolve) => {
    const send = (mayResend: boolean): void => {
      const upstream = open(call);
      let answered = false;
      upstream.on('response', (answer) => {
        answered = true;
        void pipeAnswer(answer, res).then(resolve);
      });
      upstream.on('error', (err) => {
        // A pooled socket the app closed as it was reused: nothing reached the app, so a request
        // without a body that is safe to repeat goes again, once, on a fresh socket.
        if (mayResend && !answered && upstream.reusedSocket) return send(false);
        if (res.headersSent) res.destroy();
        else sendError(res, fail(err.message));
        resolve();
      });
      // The caller hung up before the answer was complete (a closed event stream): hang up on
      // the app too, so it notices instead of streaming into the void.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      if (bodyless) upstream.end();
      else pipeLimited(req.raw, upstream);
    };
    send(bodyless);
  });
}

/** GET, HEAD, OPTIONS and TRACE without a body: resending cannot do anything twice (RFC 9110 §9.2.2). */
function repeatable(req: RouteRequest): boolean {
  const { headers } = req.raw;
  return (
    ['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(req.method) &&
    headers['transfer-encoding'] === undefined &&
    (headers['content-length'] === undefined || headers['content-length'] === '0')
  );
}

function pipeAnswer(answer: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    res.writeHead(answer.statusCode ?? 502, answerHeaders(answer));
    answer.pipe(res);
    answer.on('end', resolve);
    answer.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      if (!res.writableFinished) answer.destroy();
      resolve();
    });
  });
}

/** An app answer outside 2xx/3xx: a failure to the policy, passed on as-is once retries end. */
class FailedAnswer extends Error {
  constructor(
    readonly status: number,
    readonly headers: OutgoingHttpHeaders,
    readonly body: Buffer,
  ) {
    super(`the app answered ${status}`);
  }
}

/** One try: resolves with a 2xx/3xx answer (unread), rejects with a FailedAnswer or a transport error. */
function attempt(call: UpstreamCall, body: Buffer, timeoutMs?: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const upstream = open(call);
    // The policy's timeout rejects the attempt; this one also releases the connection.
    if (timeoutMs)
      upstream.setTimeout(timeoutMs, () =>
        upstream.destroy(new Error(`timed out after ${timeoutMs} ms`)),
      );
    upstream.on('response', (answer) => {
      const status = answer.statusCode ?? 502;
      if (status < 400) return resolve(answer);
      void readAll(answer).then(
        (data) => reject(new FailedAnswer(status, answerHeaders(answer), data)),
        reject,
      );
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** daprd's words when a body passes its --max-body-size on the way to the app. */
const TOO_LARGE = 'stream too large';

async function readAll(stream: NodeJS.ReadableStream, limit = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(TOO_LARGE);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Streams the caller's body to the app, cut off (the upstream failing) past MAX_BODY_BYTES. */
function pipeLimited(from: IncomingMessage, to: ClientRequest): void {
  let size = 0;
  from.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) return;
    from.unpipe(to);
    to.destroy(new Error(TOO_LARGE));
  });
  from.pipe(to);
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
  if (target.appApiToken) headers['dapr-api-token'] = target.appApiToken;
  // daprd serves a call to its own app locally, without the hop headers its remote path adds.
  if (callerId === calleeId) return headers;
  const client = req.raw.socket.remoteAddress ?? '';
  const host = incoming.host ?? '';
  headers['dapr-caller-app-id'] = callerId;
  headers['dapr-callee-app-id'] = calleeId;
  headers['x-forwarded-for'] = incoming['x-forwarded-for']
    ? `${String(incoming['x-forwarded-for'])}, ${client}`
    : client;
  headers['x-forwarded-host'] = host;
  headers.forwarded = `for=${client};by=${req.raw.socket.localAddress ?? ''};host=${host}`;
  return headers;
}
