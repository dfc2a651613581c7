import { defineConfig } from 'vite';

// `vite dev` proxies the API to a running platform (`npm start`), so the client is served from
// one origin in development as the gateway serves it in production.
const gateway = process.env.FLOCK_GATEWAY ?? 'http://127.0.0.1:3000';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: { proxy: { '/api': { target: gateway, changeOrigin: false } } },
});
