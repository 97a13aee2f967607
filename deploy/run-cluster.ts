// `npm run cluster`: the whole multi-node setup on one machine, to see it work. Starts Debian's
// redis-server on a free port (data in a temp dir, no persistence), three livedrop nodes on free
// ports (REDIS_URL, TRUST_PROXY) and HAProxy in front on PORT (default 3000); `-- --nginx` uses nginx.
// Ctrl-C stops everything it started and removes the temp dirs.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BalancerKind, type LoadBalancer, startLoadBalancer } from './load-balancer.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kind: BalancerKind = process.argv.includes('--nginx') ? 'nginx' : 'haproxy';
const NODES = 3;
const balancerPort = Number(process.env.PORT ?? 3000);

const missing = ['/usr/bin/redis-server', kind === 'nginx' ? '/usr/sbin/nginx' : '/usr/sbin/haproxy'].filter(
  (path) => !existsSync(path),
);
if (missing.length > 0) {
  console.error(`livedrop cluster: missing ${missing.join(', ')}: sudo apt-get install redis-server ${kind}`);
  process.exit(1);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once `text` appears on the child's output; rejects if it exits first. */
function waitForOutput(child: ChildProcess, text: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
      if (text.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${output}`)));
  });
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
let balancer: LoadBalancer | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await balancer?.stop();
  // Nodes first (they leave the cluster cleanly), Redis last.
  for (const child of children.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  if (!existsSync(join(root, 'dist/web/index.html'))) {
    console.log('building the web UI (vite build)…');
    spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' });
  }
  const redisPort = await freePort();
  const redisDir = mkdtempSync(join(tmpdir(), 'livedrop-cluster-redis-'));
  dirs.push(redisDir);
  const redis = spawn(
    'redis-server',
    [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--dir',
      redisDir,
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(redis);
  await waitForOutput(redis, /Ready to accept connections/, 'redis-server');
  console.log(`redis-server   redis://127.0.0.1:${redisPort}  (data in ${redisDir})`);

  const nodes: { port: number; host: string }[] = [];
  await Promise.all(
    Array.from({ length: NODES }, async (_, i) => {
      const port = await freePort();
      const uploadDir = mkdtempSync(join(tmpdir(), `livedrop-cluster-node${i + 1}-`));
      dirs.push(uploadDir);
      const node = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: root,
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          NODE_ID: `node-${i + 1}`,
          UPLOAD_DIR: uploadDir,
          TRUST_PROXY: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(node);
      await waitForOutput(node, /Server listening at/, `node-${i + 1}`);
      nodes[i] = { host: '127.0.0.1', port };
      console.log(`node-${i + 1}         http://127.0.0.1:${port}  (uploads in ${uploadDir})`);
    }),
  );
  balancer = await startLoadBalancer(kind, { host: '127.0.0.1', port: balancerPort }, nodes);
  console.log(`${kind.padEnd(14)} ${balancer.url}  ← open this; Ctrl-C stops everything`);
} catch (error) {
  console.error(`livedrop cluster: ${(error as Error).message}`);
  await stop(1);
}
