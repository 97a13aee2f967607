// The real livedrop server, in-process on an ephemeral port with a temporary UPLOAD_DIR, plus the UI
// build mounted at /e2e/ (same origin as the API); and a plain static server for a page on another
// origin.
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import { loadConfig } from '../../../server/config.js';

export interface LivedropServer {
  app: FastifyInstance;
  port: number;
  origin: string;
  uploadDir: string;
  /** The UI's address on this server, with an optional query string. */
  page(query?: string): string;
  /** Stops the server hard, as a crash would: every open connection (feeds included) is cut. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  env?: Record<string, string>;
  port?: number;
  uploadDir?: string;
  /** The built <livedrop-upload> module to serve at /embed/ (see embed-build.ts). */
  embedRoot?: string;
  /** Runs after buildApp and before listen (e.g. app.inject() uploads while nobody is connected). */
  beforeListen?(app: FastifyInstance): Promise<void>;
}

export async function startServer(uiDir: string, options: ServerOptions = {}): Promise<LivedropServer> {
  const uploadDir = options.uploadDir ?? mkdtempSync(join(tmpdir(), 'livedrop-e2e-uploads-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', UPLOAD_DIR: uploadDir, ...options.env });
  const app = await buildApp(config, options.embedRoot ? { embedRoot: options.embedRoot } : {});
  await app.register(fastifyStatic, { root: uiDir, prefix: '/e2e/', decorateReply: false });
  await options.beforeListen?.(app);
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    app,
    port: address.port,
    origin,
    uploadDir,
    page: (query = '') => `${origin}/e2e/${query ? `?${query}` : ''}`,
    async stop() {
      const closed = app.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
};

/** Serves a directory read-only on its own origin: the "other site" of the cross-origin test. */
export async function startStaticServer(root: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('static server has no TCP address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
