import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Responder = (
  req: Received,
) => { status?: number; headers?: Record<string, string>; body?: string } | undefined;

/**
 * A real HTTP app on port 0 that records every request. `routes` maps "METHOD /path" (path
 * without query) to a responder; anything else answers 404.
 */
export class TestApp {
  readonly received: Received[] = [];
  private server: Server | undefined;
  port = 0;

  constructor(readonly routes: Record<string, Responder>) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        };
        this.received.push(r);
        const responder = this.routes[`${r.method} ${r.url.split('?')[0]}`];
        const answer = responder?.(r) ?? { status: 404, body: 'not found' };
        res.writeHead(answer.status ?? 200, answer.headers ?? {}).end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  calls(method: string, path: string): Received[] {
    return this.received.filter((r) => r.method === method && r.url.split('?')[0] === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** A JSON answer. */
export const json = (value: unknown, status = 200) => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});
