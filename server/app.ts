// buildApp(config): the Fastify instance with every plugin registered. No I/O happens at import time;
// the caller decides when to listen (server/main.ts) or inject (tests).
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';

/** Where `npm run build` puts the web UI: dist/web, seen from server/ (tsx, tests) or dist/server/ (npm start). */
const here = dirname(fileURLToPath(import.meta.url));
const webRoot = basename(dirname(here)) === 'dist' ? join(here, '../web') : join(here, '../dist/web');

export async function buildApp(config: Config): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
  });

  app.get('/api/health', async () => ({ status: 'ok' }));

  app.get('/api/config', async () => ({
    maxFileSize: config.maxFileSize,
    maxFiles: config.maxFiles,
    allowedTypes: config.allowedTypes,
    auth: config.authToken !== null,
  }));

  if (existsSync(webRoot)) {
    await app.register(fastifyStatic, { root: webRoot });
  }

  return app;
}
