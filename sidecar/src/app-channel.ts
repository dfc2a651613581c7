import { request, type Agent } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** The sidecar's own app, or any app the resolver knows. */
export interface AppAddress {
  host: string;
  port: number;
  /** The app's APP_API_TOKEN: sent to it as `dapr-api-token` on every call the sidecar makes. */
  appApiToken?: string;
}

export function appUrl(app: AppAddress, path: string): string {
  const host = app.host.includes(':') ? `[${app.host}]` : app.host;
  return `http://${host}:${app.port}${path.startsWith('/') ? path : `/${path}`}`;
}

/** Headers every sidecar → app call carries. */
export function appHeaders(appId: string, app: AppAddress): Record<string, string> {
  return {
    'dapr-app-id': appId,
    ...(app.appApiToken ? { 'dapr-api-token': app.appApiToken } : {}),
  };
}

export interface AppAnswer {
  status: number;
  text: string;
}

/**
 * One POST to an app over the sidecar's pooled connections (the same pool as invocation), its
 * whole answer read. Rejects when the app cannot be reached or `timeoutMs` passes.
 */
export function postToApp(
  agent: Agent,
  app: AppAddress,
  path: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs?: number,
): Promise<AppAnswer> {
  return new Promise((resolve, reject) => {
    const sent = request(appUrl(app, path), {
      method: 'POST',
      agent,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
    sent.on('response', (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () =>
        resolve({ status: answer.statusCode ?? 502, text: Buffer.concat(chunks).toString('utf8') }),
      );
      answer.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

/** daprd's blockUntilAppIsReady: dial every 500 ms until the app port accepts a TCP connection. */
export async function waitForAppPort(app: AppAddress, signal: AbortSignal): Promise<void> {
  while (!(await canConnect(app))) await sleep(500, undefined, { signal });
}

function canConnect(app: AppAddress): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: app.host, port: app.port, timeout: 500 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
