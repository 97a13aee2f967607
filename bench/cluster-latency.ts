// Progress latency across nodes, and what Redis mode costs (issue 12): three livedrop nodes (the
// compiled server, as every bench runs it) on one redis-server; 20 uploads go into node A while
// 500 WebSocket watchers are spread over nodes B and C. The watcher and temp-file prober processes are
// bench/progress-latency.ts's own roles, so "latency" means the same thing as there: from the moment
// node A had written byte N to its temp file to the moment a watcher on B or C saw a progress event
// covering N (one machine, one clock; errs high by at most one prober poll gap).
//
// Throughput, in the same run: bursts of small uploads (started, progress, completed each), watched by
// the same 500 watchers, alternately on the cluster (into A, watchers on B and C) and on a single
// in-process node (REDIS_URL unset) with all 500 on it. Figures: events delivered per second (watcher
// messages / s) and node CPU per delivery (every node's user+sys time, Redis's shown apart).
//
//   npx tsx bench/cluster-latency.ts [--watchers 500] [--uploads 20] [--paced-mib 2] [--size-mib 8]
//                                    [--rounds 3] [--burst 400] [--quick]
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildServers, compiled, startNodeArgs } from './lib/build.js';
import {
  ask,
  CHUNK,
  diskLatencies,
  forkRole as forkLatencyRole,
  freePort,
  now,
  type ProbeReport,
  pacedUpload,
  percentile,
  type Sighting,
  type WatcherReport,
  waitForHealth,
} from './lib/latency.js';
import { cpuSeconds } from './lib/proc-stats.js';
import { median } from './lib/report.js';

const cpuMs = (pid: number) => 1000 * cpuSeconds(pid);

const { values } = parseArgs({
  options: {
    watchers: { type: 'string', default: '500' },
    uploads: { type: 'string', default: '20' },
    'paced-mib': { type: 'string', default: '2' },
    'size-mib': { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    burst: { type: 'string', default: '400' },
    quick: { type: 'boolean', default: false },
  },
});
if (values.quick) {
  values['size-mib'] = '2';
  values.rounds = '1';
  values.burst = '100';
}
const watchers = Number(values.watchers);
const uploads = Number(values.uploads);
const size = Number(values['size-mib']) * 1024 * 1024;
const pacedMibPerS = Number(values['paced-mib']);
const rounds = Number(values.rounds);
const burst = Number(values.burst);

const children: ChildProcess[] = [];
const dirs: string[] = [];

/** A latency role in a child process this bench stops at the end. */
async function forkRole(role: 'watchers' | 'prober', env: Record<string, string>): Promise<ChildProcess> {
  const child = await forkLatencyRole(role, env);
  children.push(child);
  return child;
}

async function startRedis(): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'livedrop-bench-redis-'));
  dirs.push(dir);
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(redis);
  await new Promise<void>((resolve) => {
    let out = '';
    redis.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
  return { url: `redis://127.0.0.1:${port}`, pid: redis.pid! };
}

async function startNode(env: Record<string, string>): Promise<{ port: number; pid: number; dir: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'livedrop-bench-node-'));
  dirs.push(dir);
  const node = spawn(process.execPath, [...startNodeArgs(), compiled('server/main.ts')], {
    env: { ...process.env, PORT: String(port), UPLOAD_DIR: dir, LOG_LEVEL: 'silent', ...env },
    stdio: 'inherit',
  });
  children.push(node);
  await waitForHealth(port);
  return { port, pid: node.pid!, dir };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  buildServers();
  const redis = await startRedis();
  const cluster = { REDIS_URL: redis.url, NODE_HEARTBEAT_MS: '1000' };
  const [a, b, c] = [
    await startNode({ ...cluster, NODE_ID: 'bench-a' }),
    await startNode({ ...cluster, NODE_ID: 'bench-b' }),
    await startNode({ ...cluster, NODE_ID: 'bench-c' }),
  ];
  const single = await startNode({});
  const half = Math.floor(watchers / 2);
  const watcherGroup = async (port: number, count: number) =>
    forkRole('watchers', {
      BENCH_URL: `ws://127.0.0.1:${port}/api/events`,
      BENCH_WATCHERS: String(count),
      BENCH_SAMPLED: '10',
    });
  const onB = await watcherGroup(b.port, half);
  const onC = await watcherGroup(c.port, watchers - half);
  const onSingle = await watcherGroup(single.port, watchers);
  const prober = await forkRole('prober', { BENCH_TEMP_DIR: join(a.dir, '.tmp'), BENCH_PROBE_MS: '2' });
  const data = randomBytes(CHUNK);

  const open = async (groups: ChildProcess[]) => {
    for (const group of groups) await ask(group, 'open');
    await sleep(1000); // joins settle across nodes
    for (const group of groups) await ask<WatcherReport>(group, 'report');
  };
  const collect = async (groups: ChildProcess[]) => {
    await sleep(1000);
    const reports: WatcherReport[] = [];
    for (const group of groups) reports.push(await ask<WatcherReport>(group, 'report'));
    for (const group of groups) await ask(group, 'close');
    await sleep(500);
    return reports;
  };

  // ---- latency: 20 paced uploads into A with watchers on B and C, alternating with the same on the
  // single node (uploads and watchers on it): the peer measured in the same run.
  const proberOnSingle = await forkRole('prober', {
    BENCH_TEMP_DIR: join(single.dir, '.tmp'),
    BENCH_PROBE_MS: '2',
  });
  const latency = { cluster: [] as number[], single: [] as number[] };
  const gaps: number[] = [];
  let closedByServer = 0;
  for (let round = 0; round < rounds; round++) {
    for (const mode of ['single', 'cluster'] as const) {
      const groups = mode === 'cluster' ? [onB, onC] : [onSingle];
      const probing = mode === 'cluster' ? prober : proberOnSingle;
      const target = mode === 'cluster' ? a.port : single.port;
      await open(groups);
      await ask(probing, 'start');
      await Promise.all(
        Array.from({ length: uploads }, (_, i) =>
          pacedUpload(target, `${mode}${round}-${i}`, size, data, { mibPerS: pacedMibPerS }),
        ),
      );
      const probe = await ask<ProbeReport>(probing, 'report');
      const reports = await collect(groups);
      // The groups number their watchers from 0: keep them apart.
      const sightings = reports.flatMap((r, g) =>
        r.sightings.map((s) => [s[0] + g * half, ...s.slice(1)] as Sighting),
      );
      const measured = diskLatencies(probe, sightings);
      latency[mode].push(...measured);
      gaps.push(probe.gapP99Ms);
      closedByServer += reports.reduce((n, r) => n + r.closed, 0);
      const sorted = [...measured].sort((x, y) => x - y);
      console.error(
        `  latency ${mode} round ${round}: p50 ${round2(percentile(sorted, 50))} ms, p99 ${round2(percentile(sorted, 99))} ms`,
      );
    }
  }

  // ---- throughput: bursts of small uploads, cluster and single node alternately
  const small = 8 * 1024;
  const throughput = async (mode: 'cluster' | 'single') => {
    const groups = mode === 'cluster' ? [onB, onC] : [onSingle];
    const pids = mode === 'cluster' ? [a.pid, b.pid, c.pid] : [single.pid];
    const target = mode === 'cluster' ? a.port : single.port;
    await open(groups);
    const cpuBefore = pids.map(cpuMs);
    const redisBefore = cpuMs(redis.pid);
    const started = now();
    for (let i = 0; i < burst; i += uploads) {
      await Promise.all(
        Array.from({ length: uploads }, (_, j) => pacedUpload(target, `t${i + j}`, small, data)),
      );
    }
    const reports = await collect(groups);
    // Until the last event reached a (sampled) watcher: with Redis, delivery trails the uploads.
    const lastSeen = Math.max(...reports.flatMap((r) => r.sightings.map((sighting) => sighting[4])));
    const seconds = (lastSeen - started) / 1000;
    const deliveries = reports.reduce((n, r) => n + r.messages, 0);
    const nodeCpu = pids.map((pid, i) => cpuMs(pid) - cpuBefore[i]!).reduce((x, y) => x + y, 0);
    return {
      deliveriesPerS: deliveries / seconds,
      nodeCpuUsPerDelivery: (nodeCpu * 1000) / deliveries,
      redisCpuMs: cpuMs(redis.pid) - redisBefore,
      completedSeen: reports.reduce((n, r) => n + r.completed, 0) / watchers,
    };
  };
  const byMode = {
    cluster: [] as Awaited<ReturnType<typeof throughput>>[],
    single: [] as Awaited<ReturnType<typeof throughput>>[],
  };
  for (let round = 0; round < rounds; round++) {
    for (const mode of ['single', 'cluster'] as const) {
      const result = await throughput(mode);
      byMode[mode].push(result);
      console.error(`  throughput ${mode} round ${round}: ${JSON.stringify(result)}`);
    }
  }

  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  for (const mode of ['single', 'cluster'] as const) {
    const sorted = latency[mode].sort((x, y) => x - y);
    console.log(
      JSON.stringify({
        bench: 'cluster-progress-latency',
        target: mode === 'single' ? 'in-process' : 'redis-3-nodes',
        baseline: mode === 'single',
        note:
          mode === 'single'
            ? `one node: bytes on its disk → its watcher; ${uploads} uploads at ${pacedMibPerS} MiB/s`
            : `bytes on node A's disk → watcher on B or C; ${uploads} uploads at ${pacedMibPerS} MiB/s`,
        watchers,
        samples: sorted.length,
        p50Ms: round2(percentile(sorted, 50)),
        p99Ms: round2(percentile(sorted, 99)),
        maxMs: round2(sorted.at(-1) ?? Number.NaN),
        probeGapP99Ms: round2(Math.max(...gaps)),
        watchersClosedByServer: closedByServer,
        targetP99Ms: 250,
        loadavg: load,
      }),
    );
  }
  for (const mode of ['single', 'cluster'] as const) {
    const results = byMode[mode];
    console.log(
      JSON.stringify({
        bench: 'cluster-throughput',
        target: mode === 'single' ? 'in-process' : 'redis-3-nodes',
        baseline: mode === 'single',
        note: `${burst} uploads of 8 KiB, ${watchers} watchers; medians of ${rounds} round(s)`,
        deliveriesPerS: round2(median(results.map((r) => r.deliveriesPerS))),
        nodeCpuUsPerDelivery: round2(median(results.map((r) => r.nodeCpuUsPerDelivery))),
        redisCpuMs: round2(median(results.map((r) => r.redisCpuMs))),
        completedSeenPerWatcher: round2(median(results.map((r) => r.completedSeen))),
        loadavg: load,
      }),
    );
  }
}

try {
  await main();
} finally {
  for (const child of children.reverse()) child.kill('SIGTERM');
  await sleep(300);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
