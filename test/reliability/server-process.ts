// The real server as a child process (`node --import tsx server/main.ts`), for the tests that must
// kill it, signal it or count its file descriptors: PORT=0, and the bound address is read from the
// "Server listening at" line Fastify logs at start-up.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killedOnExit } from '../fixtures/child-processes.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  port: number;
  /** Every JSON log line the server wrote so far. */
  logs: Record<string, unknown>[];
  /** Settles when the process has exited. */
  exited: Promise<Exit>;
  /** SIGKILLs the process if it still runs and waits for it (test clean-up). */
  stop(): Promise<Exit>;
}

const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:(\d+))/;

export interface ProcessOptions {
  /** RLIMIT_NOFILE for the server (set with the shell's `ulimit -n`), to run it out of descriptors. */
  fdLimit?: number;
}

export async function startServerProcess(
  env: Record<string, string>,
  { fdLimit }: ProcessOptions = {},
): Promise<ServerProcess> {
  const node = [process.execPath, '--import', 'tsx', 'server/main.ts'];
  const [command, ...args] =
    fdLimit === undefined ? node : ['bash', '-c', `ulimit -n ${fdLimit} && exec "$@"`, 'bash', ...node];
  const child = killedOnExit(
    spawn(command!, args, {
      cwd: repoRoot,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let pending = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          const match = LISTENING.exec(String(entry.msg));
          if (match) resolve(match[1]!);
        } catch {
          // not a log line
        }
      }
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`server exited before listening (code ${code}, signal ${signal}): ${stderr}`)),
    );
  });
  return {
    child,
    pid: child.pid!,
    url,
    port: Number(new URL(url).port),
    logs,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Open file descriptors of a process, from /proc (Linux). */
export const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
