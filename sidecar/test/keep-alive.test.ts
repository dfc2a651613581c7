import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSidecar, type Sidecar } from '../src/index.js';

/**
 * An app that, once armed, closes a kept-alive socket just as the next request on it arrives: the
 * race between a server's idle timeout and a client reusing the socket, made certain, not rare.
 */
async function appClosingReusedSockets() {
  const served = new WeakSet<Socket>();
  let received = 0;
  let armed = false;
  const server: Server = createServer((req, res) => {
    received++;
    if (armed && served.has(req.socket)) {
      armed = false;
      return req.socket.destroy();
    }
    served.add(req.socket);
    req.resume().on('end', () => res.writeHead(200).end(`answer ${received}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => received,
    closeNextReusedSocket: () => (armed = true),
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

describe('keep-alive between a sidecar and the apps it calls', () => {
  let app: Awaited<ReturnType<typeof appClosingReusedSockets>>;
  let sidecar: Sidecar;

  beforeAll(async () => {
    app = await appClosingReusedSockets();
    sidecar = await startSidecar({
      appId: 'caller',
      httpPort: 0,
      components: [],
      logLevel: 'silent',
      resolveApp: (id) => (id === 'closing' ? { host: '127.0.0.1', port: app.port } : undefined),
    });
  });
  afterAll(async () => {
    await sidecar?.stop();
    await app?.close();
  });

  const invoke = (method: string) =>
    fetch(`${sidecar.url}/v1.0/invoke/closing/method/thing`, {
      method,
      ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}),
    });

  test('a GET that meets a socket the app just closed is sent again on a fresh one', async () => {
    expect((await invoke('GET')).status).toBe(200);
    const before = app.received();
    app.closeNextReusedSocket();
    const again = await invoke('GET');
    expect(again.status).toBe(200);
    expect(app.received()).toBe(before + 2); // the lost try, then the one that was answered
  });

  test('a POST that meets one is not sent again: the app might have acted on it', async () => {
    expect((await invoke('POST')).status).toBe(200);
    const before = app.received();
    app.closeNextReusedSocket();
    expect((await invoke('POST')).status).toBe(500);
    expect(app.received()).toBe(before + 1);
  });

  test("the sidecar keeps an idle client socket past Node's 5 s default, as daprd does", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ping = () =>
      new Promise<Socket>((resolve, reject) => {
        const sent = request(`${sidecar.url}/v1.0/healthz`, { agent }, (answer) => {
          answer.resume().on('end', () => resolve(sent.socket as Socket));
        });
        sent.on('error', reject).end();
      });
    const socket = await ping();
    let closed = false;
    socket.once('close', () => (closed = true));
    await sleep(5_600);
    expect(closed).toBe(false);
    expect(await ping()).toBe(socket);
    agent.destroy();
  }, 15_000);
});
