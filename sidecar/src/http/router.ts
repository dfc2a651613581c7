import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.js';

/** Bodies above daprd's default `--max-body-size` (4 MiB) are refused. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface RouteRequest {
  raw: IncomingMessage;
  method: string;
  /** Path parameters, URL-decoded (daprd unescapes them before its handlers). */
  params: Record<string, string>;
  /** The still-escaped path segments, for proxying a path unchanged. */
  rawSegments: string[];
  query: URLSearchParams;
  /** `metadata.<k>=<v>` query parameters as `{k: v}` (first value wins). */
  metadata: Record<string, string>;
  body(): Promise<Buffer>;
}

export type Handler = (req: RouteRequest, res: ServerResponse) => Promise<void>;

interface Route {
  methods: string[];
  pattern: string[];
  handler: Handler;
}

/**
 * A small chi-like router. Patterns: `/v1.0/state/:store/:key`, `*name` captures the remaining
 * segments (at least one). Routes are tried in registration order, so static paths go first.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(methods: string[], pattern: string, handler: Handler): void {
    this.routes.push({ methods, pattern: pattern.split('/').filter(Boolean), handler });
  }

  match(
    method: string,
    rawSegments: string[],
  ): { handler: Handler; params: Record<string, string> } | undefined {
    const segments = rawSegments.map(decode);
    for (const route of this.routes) {
      if (!route.methods.includes(method)) continue;
      const params = matchPattern(route.pattern, segments);
      if (params) return { handler: route.handler, params };
    }
    return undefined;
  }
}

function matchPattern(pattern: string[], segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    if (p.startsWith('*')) {
      if (segments.length <= i) return undefined;
      params[p.slice(1)] = segments.slice(i).join('/');
      return params;
    }
    const s = segments[i];
    if (s === undefined) return undefined;
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return undefined;
  }
  return segments.length === pattern.length ? params : undefined;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Splits the request target; trailing slashes are dropped as daprd's StripSlashes does. */
export function parseTarget(url: string): {
  rawSegments: string[];
  query: URLSearchParams;
  metadata: Record<string, string>;
} {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const metadata: Record<string, string> = {};
  for (const [k, v] of query)
    if (k.startsWith('metadata.') && !(k.slice(9) in metadata)) metadata[k.slice(9)] = v;
  return { rawSegments: path.split('/').filter(Boolean), query, metadata };
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'ERR_MALFORMED_REQUEST', 'request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
