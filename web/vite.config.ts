import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

// `vite dev` proxies the API to a running platform (`npm start`), so the client is served from
// one origin in development as the gateway serves it in production.
const gateway = process.env.FLOCK_GATEWAY ?? 'http://127.0.0.1:3000';

/** Text outputs worth compressing; smaller files cost more in headers than they save. */
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/;
const MIN_BYTES = 1024;

/**
 * Writes `<file>.br` and `<file>.gz` beside each text output, at the highest levels: done once
 * at build, so the gateway never compresses per request (services/gateway/src/gateway.web.ts).
 */
function precompress(): Plugin {
  return {
    name: 'flock-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const outDir = options.dir ?? 'dist';
      for (const fileName of Object.keys(bundle).filter((f) => COMPRESSIBLE.test(f))) {
        const file = path.join(outDir, fileName);
        const bytes = await readFile(file);
        if (bytes.length < MIN_BYTES) continue;
        const brotli = brotliCompressSync(bytes, {
          params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
        });
        await writeFile(`${file}.br`, brotli);
        await writeFile(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  plugins: [precompress()],
  server: { proxy: { '/api': { target: gateway, changeOrigin: false } } },
});
