/**
 * Baseline: a bare Node `http` server answering every request with a small fixed JSON body — the
 * ceiling of this machine for one Node process behind our load driver.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const bareServerFile = fileURLToPath(import.meta.url);

if (process.argv.includes('--child')) {
  const body = JSON.stringify({ items: [] });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.send!({ port: (server.address() as AddressInfo).port });
  });
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
