import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
// The helper alone: the package's index would load the sidecar into a DOM-typed unit test.
import { describeIfReachable } from '../../../testing/src/reachable.js';

const dist = fileURLToPath(new URL('../../dist', import.meta.url));
/** The budget for the JavaScript a first visit downloads, gzipped. */
const INITIAL_JS_BUDGET = 150 * 1024;
const built = existsSync(path.join(dist, 'index.html'));
describeIfReachable(built, 'the built client in web/dist (npm run build -w web)')(
  'the built client',
  () => {
    test('when index.html loads, then its initial JavaScript is at most 150 kB gzipped', async () => {
      const html = await readFile(path.join(dist, 'index.html'), 'utf8');
      const scripts = [
        ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
        ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
      ].map((m) => m[1]!);
      expect(scripts.length).toBeGreaterThan(0);
      let total = 0;
      for (const src of scripts) {
        total += gzipSync(await readFile(path.join(dist, src.replace(/^\//, '')))).length;
      }
      console.log(`initial JS: ${(total / 1024).toFixed(1)} kB gzipped (${scripts.join(', ')})`);
      expect(total).toBeLessThanOrEqual(INITIAL_JS_BUDGET);
    });
  },
);
