import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import {
  AppError,
  CLIENT_ADDRESS_HEADER,
  FORWARDED_PREFIX_HEADER,
  PROBLEM_CONTENT_TYPE,
  PUBLIC_API_PREFIX,
  REFRESH_COOKIE_HEADER,
  SESSION_ID_HEADER,
  USERNAME_HEADER,
  USER_ID_HEADER,
  type Dapr,
} from '@flock/kit';
import { verifiedCaller } from './gateway.auth.js';
import { clientAddress } from './gateway.limits.js';

export type Forward = (
  appId: string,
  pathAndQuery: string,
  req: Request,
  res: Response,
) => Promise<void>;

/** Request headers a service may see. Authorization stops here: services trust the caller headers. */
const PASSED_REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  // Browsers send the session cookie only to the auth routes (its Path); users reads it there.
  'cookie',
  'if-match',
  'idempotency-key',
  'last-event-id',
  'traceparent',
  'tracestate',
  REFRESH_COOKIE_HEADER,
];

/** Response headers that describe the connection, not the content, or that fetch already decoded. */
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'date',
]);

export function daprForward(dapr: Dapr): Forward {
  return async (appId, pathAndQuery, req, res) => {
    const headers = new Headers();
    for (const name of PASSED_REQUEST_HEADERS) {
      const value = req.get(name);
      if (value !== undefined) headers.set(name, value);
    }
    headers.set('x-request-id', String(res.getHeader('x-request-id')));
    headers.set(FORWARDED_PREFIX_HEADER, PUBLIC_API_PREFIX); // services' Link headers point at the public API
    if (req.ip) headers.set('x-forwarded-for', req.ip);
    // Login throttling keys by the address exactly as the gateway's own limits do.
    headers.set(CLIENT_ADDRESS_HEADER, clientAddress(req));
    const caller = verifiedCaller(res);
    if (caller) {
      headers.set(USER_ID_HEADER, caller.id);
      headers.set(USERNAME_HEADER, caller.username);
      // Logout ends exactly the session in use.
      headers.set(SESSION_ID_HEADER, caller.sessionId);
    }
    const hasBody = req.body !== undefined && !['GET', 'HEAD'].includes(req.method);
    // A client that hangs up (a closed event stream, a cancelled request) cancels the upstream
    // call, so the service sees the disconnect instead of streaming into the void.
    const hangUp = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) hangUp.abort();
    });
    let upstream: globalThis.Response;
    try {
      upstream = await dapr.forward(appId, pathAndQuery, {
        method: req.method,
        headers,
        signal: hangUp.signal,
        ...(hasBody ? { body: JSON.stringify(req.body) } : {}),
      });
    } catch (error) {
      throw new AppError('bad-gateway', 'The platform is unreachable right now.', 502, {
        cause: error,
      });
    }
    // A sidecar-level failure (target down) is not the service's answer: say so in problem+json.
    const contentType = upstream.headers.get('content-type') ?? '';
    if (upstream.status >= 500 && !contentType.startsWith(PROBLEM_CONTENT_TYPE)) {
      await upstream.body?.cancel();
      throw new AppError(
        'service-unavailable',
        `The ${appId} service is unavailable; try again.`,
        503,
        {
          headers: { 'Retry-After': '1' },
        },
      );
    }
    res.status(upstream.status);
    upstream.headers.forEach((value, name) => {
      if (!DROPPED_RESPONSE_HEADERS.has(name)) res.setHeader(name, value);
    });
    if (!upstream.body) return void res.end();
    try {
      await pipeline(Readable.fromWeb(upstream.body as never), res);
    } catch (error) {
      if (!hangUp.signal.aborted) throw error; // the client left: nothing to answer
    }
  };
}
