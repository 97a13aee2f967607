import { defineConfig } from 'vite';

// The web UI lives in web/ and is built into dist/web, which the Fastify server serves.
// `npm run dev` proxies /api (HTTP and the WebSocket feed) to a backend started with `npm run dev:server`.
const backend = process.env.LIVEDROP_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: 'web',
  build: { outDir: '../dist/web', emptyOutDir: true },
  server: {
    proxy: {
      '/api': { target: backend, ws: true, changeOrigin: false },
    },
  },
});
