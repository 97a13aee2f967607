// Starts one server under test as its own child process on a free port, waits until it accepts
// connections, and reads that process's CPU time and memory while the load runs.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './build.js';
import { cpuSeconds, type MemoryFigures, memory, resetPeakRss } from './proc-stats.js';

export const HOST = '127.0.0.1';

/** Servers still running: killed when this process exits, however it exits, so none is orphaned. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface ServerSpec {
  /** The target's name in results, e.g. `raw-pipe`. */
  target: string;
  /** Compiled JavaScript entry point. */
  script: string;
  /** Node options before the script, e.g. the ones `npm start` uses. */
  nodeArgs?: string[];
  /** Arguments after the script; `{port}` is replaced by the chosen port. */
  args?: string[];
  /** Added to the environment, along with PORT and HOST. */
  env?: Record<string, string>;
}

/** Asks the kernel for a free port by binding port 0, then releases it for the server to take. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, HOST);
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

async function acceptsConnections(port: number): Promise<boolean> {
  const socket = connect(port, HOST);
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

export class ServerProcess {
  private stderr = '';

  constructor(
    readonly target: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-4000);
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.target} has no pid`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last few KB the server wrote to stderr, for error messages. */
  get recentStderr(): string {
    return this.stderr;
  }

  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  memory(): MemoryFigures {
    return memory(this.pid);
  }

  resetPeakRss(): boolean {
    return resetPeakRss(this.pid);
  }

  /** SIGTERM (servers exit cleanly, which also lets --cpu-prof write its profile), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * With BENCH_CPU_PROF=<dir>, every server runs under `node --cpu-prof` and writes its profile there
 * on exit (open it in Chrome DevTools → Performance, or `npx speedscope`).
 */
function profilingFlags(target: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return [];
  const absolute = join(repoRoot, dir);
  mkdirSync(absolute, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${absolute}`, `--cpu-prof-name=${target}-${Date.now()}.cpuprofile`];
}

export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...(spec.nodeArgs ?? []),
      ...profilingFlags(spec.target),
      spec.script,
      ...(spec.args ?? []).map((a) => a.replace('{port}', `${port}`)),
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, ...spec.env, PORT: `${port}`, HOST },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  const server = new ServerProcess(spec.target, port, child);
  const deadline = Date.now() + 20_000;
  while (!(await acceptsConnections(port))) {
    if (!server.running || Date.now() > deadline) {
      await server.stop();
      throw new Error(`${spec.target} did not start on port ${port}:\n${server.recentStderr}`);
    }
    await sleep(50);
  }
  return server;
}
