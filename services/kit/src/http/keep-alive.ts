import type { Server } from 'node:http';

/**
 * Idle keep-alive timeouts, one table for every hop. On each hop the client lets an idle
 * connection go before the server does: a server that closes an idle socket just as its client
 * reuses it loses that request ("socket hang up", which the gateway answered as 503).
 *
 * - service → sidecar: the Dapr SDK's agent keeps idle sockets without limit, so the sidecar
 *   never closes them. daprd's API server has no idle timeout; Flock's sidecar does the same.
 * - sidecar → service: daprd's app channel is Go's http.Transport, whose idle timeout is 90 s;
 *   Flock's sidecar pools the same way. Services keep idle sockets for longer, which is also
 *   longer than an ingress keeps its upstream sockets (ingress-nginx and cloud balancers: 60 s).
 */
export const KEEP_ALIVE = {
  /** How long a service keeps an idle client socket (Node's default, 5 s, raced every client). */
  serviceServerIdleMs: 120_000,
  /** How long a sidecar keeps an idle socket to its service: daprd's http.Transport figure. */
  sidecarToServiceIdleMs: 90_000,
  /** How long a sidecar keeps an idle client socket: without limit (0), as daprd does. */
  sidecarServerIdleMs: 0,
  /** The whole header block of a request must arrive within this (daprd: ReadHeaderTimeout 10 s). */
  headersMs: 10_000,
} as const;

/** Sets a server's idle and header timeouts on purpose instead of leaving Node's defaults. */
export function setServerTimeouts(server: Server, idleMs: number): void {
  server.keepAliveTimeout = idleMs;
  server.headersTimeout = KEEP_ALIVE.headersMs;
}
