// Starts HAProxy or nginx (Debian's) in front of livedrop nodes, from deploy/haproxy.cfg or
// deploy/nginx.conf with the listen address, the nodes and a working directory filled in. Used by
// `npm run cluster` and the cluster tests; both run the real binaries as the current user.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type BalancerKind = 'haproxy' | 'nginx';

export interface Backend {
  host: string;
  port: number;
}

export interface LoadBalancer {
  kind: BalancerKind;
  url: string;
  /** The filled-in configuration it runs with. */
  config: string;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

export function renderConfig(kind: BalancerKind, listen: Backend, nodes: Backend[], dir: string): string {
  const servers = nodes
    .map(({ host, port }, i) =>
      kind === 'haproxy'
        ? `    server node${i + 1} ${host}:${port}`
        : `        server ${host}:${port} max_fails=1 fail_timeout=2s;`,
    )
    .join('\n');
  return readFileSync(join(here, kind === 'haproxy' ? 'haproxy.cfg' : 'nginx.conf'), 'utf8')
    .replaceAll('{{LISTEN}}', `${listen.host}:${listen.port}`)
    .replaceAll('{{SERVERS}}', servers)
    .replaceAll('{{DIR}}', dir);
}

const binaries: Record<BalancerKind, string> = { haproxy: '/usr/sbin/haproxy', nginx: '/usr/sbin/nginx' };

export async function startLoadBalancer(
  kind: BalancerKind,
  listen: Backend,
  nodes: Backend[],
): Promise<LoadBalancer> {
  const dir = mkdtempSync(join(tmpdir(), `livedrop-${kind}-`));
  const config = renderConfig(kind, listen, nodes, dir);
  const file = join(dir, kind === 'haproxy' ? 'haproxy.cfg' : 'nginx.conf');
  writeFileSync(file, config);
  // -db: HAProxy in the foreground; nginx: `daemon off` in the file, -e for start-up errors.
  const args =
    kind === 'haproxy' ? ['-db', '-f', file] : ['-p', dir, '-c', file, '-e', join(dir, 'error.log')];
  const child: ChildProcess = spawn(binaries[kind], args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(listen, exited, () => `${kind} exited before listening: ${stderr}`);
  return {
    kind,
    url: `http://${listen.host}:${listen.port}`,
    config,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(address: Backend, exited: Promise<void>, why: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(why());
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(address.port, address.host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(why());
}
