import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A free TCP port on loopback, for a process that must be told its port before it starts (daprd,
 * or an app whose sidecar must know it first). The kernel may hand it out again before it is
 * bound, so prefer port 0 wherever the listener can report what it bound.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
