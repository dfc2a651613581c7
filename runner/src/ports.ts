import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';

/**
 * Ports handed to processes that must be told theirs before they start (daprd, and an app whose
 * daprd must know it first). Port 0 would pick from the kernel's ephemeral range, where every
 * outgoing connection on the machine also takes its local port: between our check and the
 * process's bind, one often got there first (EADDRINUSE under load). So pick below that range,
 * where only listeners live, at random so parallel runs rarely meet, and check it is free.
 */
const EPHEMERAL_START = ephemeralRangeStart();
const LOWEST = 10_000;

function ephemeralRangeStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    return Number(start) || 32_768;
  } catch {
    return 32_768; // not Linux: the usual default
  }
}

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * Ports this process handed out: one platform's daprd processes and apps are told theirs before
 * any binds, so a check alone could give two of them the same free port.
 */
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = randomInt(LOWEST, Math.max(LOWEST + 1_000, EPHEMERAL_START));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error('no free port found below the ephemeral range');
}
