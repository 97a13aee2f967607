// The servers the benchmarks compare, as start-up specs: livedrop itself (compiled), the baselines in
// bench/baselines/, and the raw WebSocket core's own ws:echo / ws:chat scripts.
import { compiled, scriptEntry, startNodeArgs } from './build.js';
import type { ServerSpec } from './server-process.js';

const quietLivedrop = { LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '0' };

// livedrop runs as `npm start` runs it: the compiled server, with the start script's node options.

/** livedrop with its defaults (sha256 on); the benchmark connects one watcher to it. */
export const livedrop = (uploadDir: string): ServerSpec => ({
  target: 'livedrop',
  script: compiled('server/main.ts'),
  nodeArgs: startNodeArgs(),
  env: { ...quietLivedrop, UPLOAD_DIR: uploadDir, CHECKSUM: 'sha256' },
});

export const livedropNoChecksum = (uploadDir: string): ServerSpec => ({
  target: 'livedrop-none',
  script: compiled('server/main.ts'),
  nodeArgs: startNodeArgs(),
  env: { ...quietLivedrop, UPLOAD_DIR: uploadDir, CHECKSUM: 'none' },
});

/** The ceiling: a plain `http` server piping the request body to a file, no parsing at all. */
export const rawPipe = (uploadDir: string): ServerSpec => ({
  target: 'raw-pipe',
  script: compiled('bench/baselines/raw-pipe.ts'),
  env: { UPLOAD_DIR: uploadDir },
});

/** What a typical Fastify user writes: @fastify/multipart and pipeline(part.file, createWriteStream). */
export const naiveMultipart = (uploadDir: string): ServerSpec => ({
  target: 'naive-multipart',
  script: compiled('bench/baselines/naive-multipart.ts'),
  env: { UPLOAD_DIR: uploadDir },
});

/** tus-node-server (@tus/server 2 with @tus/file-store), the Node tus anchor, on node:http at /files. */
export const tusNodeServer = (uploadDir: string): ServerSpec => ({
  target: 'tus-node-server',
  script: compiled('bench/baselines/tus-server.ts'),
  env: { UPLOAD_DIR: uploadDir },
});

export const wsEcho = (): ServerSpec => ({
  target: 'ws',
  script: compiled('bench/baselines/ws-echo.ts'),
  args: ['--port', '{port}'],
});

export const wsChat = (): ServerSpec => ({
  target: 'ws',
  script: compiled('bench/baselines/ws-chat.ts'),
  args: ['--port', '{port}'],
});

/** Our core's `npm run ws:echo` / `ws:chat`, compiled; undefined while the script does not exist yet. */
export function coreScript(name: 'ws:echo' | 'ws:chat'): ServerSpec | undefined {
  const entry = scriptEntry(name);
  return entry === undefined
    ? undefined
    : { target: 'livedrop-core', script: compiled(entry), args: ['--port', '{port}'] };
}
