// What the CLI tests share: the CLI compiled by tsc exactly as `npm run build` compiles it (into a
// temp folder inside the checkout, so its packages resolve), run under plain Node as a child
// process; and a real livedrop server on a free port that records what it was asked.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';

const root = new URL('../../', import.meta.url).pathname;

/** Compiles cli/ with tsconfig.cli.json into test-results/; returns the path of main.js and a cleanup. */
export async function buildCli(): Promise<{ bin: string; remove(): Promise<void> }> {
  await mkdir(join(root, 'test-results'), { recursive: true });
  const outDir = await mkdtemp(join(root, 'test-results', 'cli-build-'));
  await promisify(execFile)(process.execPath, [
    join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(root, 'tsconfig.cli.json'),
    '--outDir',
    outDir,
  ]);
  return { bin: join(outDir, 'cli/main.js'), remove: () => rm(outDir, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<CliResult>;
}

/** Starts `node BIN ...args` with pipes (not a terminal: plain output) and an env of its own. */
export function startCli(
  bin: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): CliRun {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

export const runCli = (
  bin: string,
  args: string[],
  options?: { env?: Record<string, string>; cwd?: string },
) => startCli(bin, args, options).done;

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  status: number;
}

export interface RecordingServer {
  app: FastifyInstance;
  url: string;
  dir: string;
  /** Every request answered, in order, with its status. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingServer(env: Record<string, string> = {}): Promise<RecordingServer> {
  const dir = await mkdtemp(join(tmpdir(), 'livedrop-cli-'));
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent', UPLOAD_DIR: dir, ...env }));
  const requests: RecordedRequest[] = [];
  app.addHook('onResponse', async (request, reply) => {
    requests.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      status: reply.statusCode,
    });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    dir,
    requests,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on (bound, read, closed). */
export async function deadPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The bytes the server reports stored per upload id, as its live feed (SSE) tells them: a way to
 * watch an upload grow without touching it (a tus HEAD takes the upload's lock and stops its PATCH).
 */
export function storedSizes(serverUrl: string): { sizes: Map<string, number>; close(): void } {
  const sizes = new Map<string, number>();
  const controller = new AbortController();
  void (async () => {
    const response = await fetch(`${serverUrl}/api/events`, { signal: controller.signal });
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    let buffered = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffered += decoder.decode(read.value, { stream: true });
      let end = buffered.indexOf('\n\n');
      for (; end !== -1; end = buffered.indexOf('\n\n')) {
        const data = /^data: (.*)$/m.exec(buffered.slice(0, end))?.[1];
        buffered = buffered.slice(end + 2);
        if (!data) continue;
        const message = JSON.parse(data) as {
          uploads?: { id: string; size: number }[];
          upload?: { id: string; size?: number };
        };
        for (const upload of message.uploads ?? (message.upload ? [message.upload] : [])) {
          if (upload.size !== undefined) sizes.set(upload.id, upload.size);
        }
      }
    }
  })().catch(() => {});
  return { sizes, close: () => controller.abort() };
}
