import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import express from 'express';
import { createLogger } from '@flock/kit';
import { describeIfReachable } from '@flock/testing';
import { webRoutes } from '../src/gateway.web.js';

/**
 * The built web client (web/dist, as `npm run build` leaves it) served by the gateway's web
 * routes: what a browser downloads, byte for byte, for each encoding it accepts.
 */
const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');
const describeWithClient = describeIfReachable(
  existsSync(path.join(webDir, 'index.html')),
  'the built client in web/dist (npm run build)',
);

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http rather than fetch, which would decompress and hide what went over the wire. */
const download = (url: string, headers: Record<string, string>) =>
  new Promise<Raw>((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    }).on('error', reject);
  });

describeWithClient('the web client as the gateway serves it', () => {
  let server: Server;
  let base: string;
  let assets: string[];

  beforeAll(async () => {
    const app = express();
    webRoutes(app, webDir, createLogger('gateway', 'silent'));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    assets = (await readdir(path.join(webDir, 'assets'))).filter((f) => /\.(js|css)$/.test(f));
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('when a browser accepts brotli, then each script and stylesheet comes brotli-compressed, decodes to the built file, and is cached for a year', async () => {
    expect(assets.some((f) => f.endsWith('.js'))).toBe(true);
    for (const asset of assets) {
      const res = await download(`${base}/assets/${asset}`, { 'accept-encoding': 'gzip, br' });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.headers.vary).toMatch(/Accept-Encoding/i);
      expect(res.headers['content-type']).toMatch(asset.endsWith('.js') ? /javascript/ : /css/);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const built = await readFile(path.join(webDir, 'assets', asset));
      expect(brotliDecompressSync(res.body).equals(built)).toBe(true);
    }
  });

  test('when the script is downloaded, then brotli sends under 40% of its bytes and gzip under 40%; a client without either gets it whole', async () => {
    const script = assets.find((f) => f.endsWith('.js'))!;
    const url = `${base}/assets/${script}`;
    const built = await readFile(path.join(webDir, 'assets', script));
    const brotli = await download(url, { 'accept-encoding': 'br' });
    const gzip = await download(url, { 'accept-encoding': 'gzip' });
    const identity = await download(url, {});
    expect(brotli.body.length).toBeLessThan(built.length * 0.4);
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.body.length).toBeLessThan(built.length * 0.4);
    expect(gunzipSync(gzip.body).equals(built)).toBe(true);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.equals(built)).toBe(true);
  });

  test('when a browser opens a client route, then index.html is revalidated on every load, so a deploy shows at once', async () => {
    const res = await download(`${base}/users/alice`, { accept: 'text/html' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body.toString()).toMatch(/<script type="module"[^>]+\/assets\/index-[\w-]+\.js/);
  });
});
