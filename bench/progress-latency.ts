// Progress latency and the cost of watchers (issue 6 item 4, issue 4's last "Done when"): the server
// runs as a child process, 500 WebSocket watchers run in a second one (so their JSON parsing does not
// slow the uploader), a third polls the sizes of the temp files in UPLOAD_DIR/.tmp/, and this process
// posts 20 concurrent multipart uploads.
//
// Latency = from the moment the server had written byte N of an upload to its temp file (the prober
// saw the file reach N bytes) to the moment a watcher saw a progress event for that upload with
// size ≥ N. Temp files are named by upload id (server/storage/local/disk-layout.ts), and events carry the
// id, so no server hook is needed. The prober records, per file, the stat before and the stat at which
// the size first covered N; the write happened in between, and the earlier one is used, so the figure
// errs high by at most one poll gap (printed as probeGapP99Ms). All processes share one clock:
// performance.timeOrigin + performance.now() is wall-clock time on one machine.
//
// The old measure, from the uploader writing byte N into its socket, is printed as a secondary line:
// at full speed on loopback it mostly counts the MiBs waiting in kernel socket buffers before the
// server reads them, which is not the event path.
//
// Throughput is measured with 500 watchers and with none, alternating rounds so that drift on a
// shared machine hits both alike; the cost is from the medians.
//
//   npx tsx bench/progress-latency.ts [--watchers 500] [--uploads 20] [--mib 32] [--rounds 5]
//                                     [--paced-mib 2] [--paced-size-mib 16] [--probe-ms 2] [--quick]
//   BENCH_CPU_PROF=/tmp/prof npx tsx bench/progress-latency.ts     (the server under node --cpu-prof)
//
// Prints one JSON line per result (bench/lib/report.ts's format: bench, target, figures) on stdout and
// per-round figures on stderr. A latency of Infinity means a watcher never saw those bytes.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildServers, compiled, startNodeArgs } from './lib/build.js';
import {
  ask,
  CHUNK,
  clientLatencies,
  diskLatencies,
  forkRole,
  freePort,
  type Mark,
  now,
  type ProbeReport,
  pacedUpload,
  percentile,
  type WatcherReport,
  waitForHealth,
} from './lib/latency.js';
import { cpuSeconds } from './lib/proc-stats.js';
import { median } from './lib/report.js';

const cpuMs = (pid: number) => 1000 * cpuSeconds(pid);

interface RoundOptions {
  port: number;
  serverPid: number;
  label: string;
  uploads: number;
  size: number;
  data: Buffer;
  mibPerS?: number;
}

async function uploadRound({ port, serverPid, label, uploads, size, data, mibPerS }: RoundOptions) {
  const marks: Mark[] = [];
  const cpuBefore = cpuMs(serverPid);
  const started = now();
  const ids = await Promise.all(
    Array.from({ length: uploads }, (_, i) =>
      pacedUpload(port, `${label}-${i}`, size, data, { marks, mibPerS }),
    ),
  );
  const seconds = (now() - started) / 1000;
  const cpuAfter = cpuMs(serverPid);
  // Outside the timing: the next round starts with an empty UPLOAD_DIR, not GiBs of dirty pages.
  await Promise.all(ids.map((id) => remove(port, id)));
  const mib = (uploads * size) / 1024 / 1024;
  return {
    marks,
    mibPerS: mib / seconds,
    /** Server CPU per MiB stored: the cost of watchers without the clients' CPU on this machine. */
    serverCpuMsPerMib: (cpuAfter - cpuBefore) / mib,
  };
}

function remove(port: number, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    request({ port, host: '127.0.0.1', method: 'DELETE', path: `/api/uploads/${id}` }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 204 ? resolve() : reject(new Error(`DELETE ${id}: HTTP ${res.statusCode}`)),
      );
    })
      .on('error', reject)
      .end();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      watchers: { type: 'string', default: '500' },
      uploads: { type: 'string', default: '20' },
      mib: { type: 'string', default: '32' },
      'paced-size-mib': { type: 'string', default: '16' },
      rounds: { type: 'string', default: '5' },
      sampled: { type: 'string', default: '20' },
      'paced-mib': { type: 'string', default: '2' },
      'probe-ms': { type: 'string', default: '2' },
      quick: { type: 'boolean', default: false },
    },
  });
  if (values.quick) {
    values.mib = '4';
    values['paced-size-mib'] = '4';
    values.rounds = '1';
  }
  const watchers = Number(values.watchers);
  const uploads = Number(values.uploads);
  const size = Number(values.mib) * 1024 * 1024;
  const pacedSize = Number(values['paced-size-mib']) * 1024 * 1024;
  const rounds = Number(values.rounds);
  const pacedMibPerS = Number(values['paced-mib']);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'livedrop-bench-'));
  // BENCH_CPU_PROF=<dir>: the server runs under `node --cpu-prof` and writes its profile there on exit
  // (the same switch as bench/lib's servers).
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  // The compiled server, started with `npm start`'s node options, as every other bench measures it.
  buildServers();
  const server = spawn(process.execPath, [...profile, ...startNodeArgs(), compiled('server/main.ts')], {
    env: { ...process.env, PORT: String(port), UPLOAD_DIR: dir, LOG_LEVEL: 'silent' },
    stdio: 'inherit',
  });
  const children: ChildProcess[] = [];
  try {
    await waitForHealth(port);
    const data = randomBytes(CHUNK);
    const watcherProcess = await forkRole('watchers', {
      BENCH_URL: `ws://127.0.0.1:${port}/api/events`,
      BENCH_WATCHERS: String(watchers),
      BENCH_SAMPLED: String(values.sampled),
    });
    children.push(watcherProcess);
    const prober = await forkRole('prober', {
      BENCH_TEMP_DIR: join(dir, '.tmp'),
      BENCH_PROBE_MS: String(values['probe-ms']),
    });
    children.push(prober);

    const serverPid = server.pid!;
    /** One round of uploads with the prober watching the temp files (in every round, for fairness). */
    const round = async (label: string, mibPerS?: number) => {
      await ask(prober, 'start');
      const result = await uploadRound({
        port,
        serverPid,
        label,
        uploads,
        size: mibPerS === undefined ? size : pacedSize,
        data,
        mibPerS,
      });
      const probe = await ask<ProbeReport>(prober, 'report');
      return { ...result, probe };
    };
    const watching = async <T>(work: () => Promise<T>) => {
      await ask(watcherProcess, 'open');
      await sleep(500); // the joins' presence events settle
      await ask(watcherProcess, 'report'); // forget the snapshots and join traffic
      const result = await work();
      await sleep(500); // let the last events arrive
      const report = await ask<WatcherReport>(watcherProcess, 'report');
      await ask(watcherProcess, 'close');
      await sleep(500); // the leaves settle
      return { result, report };
    };
    const watcherStats = (report: WatcherReport) => ({
      messagesPerWatcher: round2(report.messages / watchers),
      completedSeenPerWatcher: round2(report.completed / watchers),
      watchersClosedByServer: report.closed,
    });

    // Full speed, alternating no watchers / all watchers, so that drift on a shared machine hits both
    // alike.
    const bare: { mibPerS: number; serverCpuMsPerMib: number }[] = [];
    const watched: { mibPerS: number; serverCpuMsPerMib: number }[] = [];
    const full = { disk: [] as number[], client: [] as number[], gapsP99: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      const b = await round(`b${i}`);
      bare.push(b);
      log({ round: i, watchers: 0, ...figures(b) });
      const { result: w, report } = await watching(() => round(`w${i}`));
      watched.push(w);
      const disk = diskLatencies(w.probe, report.sightings);
      full.disk.push(...disk);
      full.client.push(...clientLatencies(w.marks, report.sightings));
      full.gapsP99.push(w.probe.gapP99Ms);
      log({
        round: i,
        watchers,
        ...figures(w),
        ...watcherStats(report),
        diskP99Ms: summary(disk).p99Ms,
        probeGapP99Ms: round2(w.probe.gapP99Ms),
      });
    }

    // Paced like clients on a network (each upload at --paced-mib MiB/s).
    const { result: paced, report } = await watching(() => round('paced', pacedMibPerS));
    const pacedDisk = diskLatencies(paced.probe, report.sightings);
    const pacedClient = clientLatencies(paced.marks, report.sightings);

    print({
      bench: 'progress-latency',
      target: 'livedrop',
      note: `from bytes on disk to a watcher, full speed, ${rounds} round(s)`,
      watchers,
      uploads,
      ...summary(full.disk),
      probeGapP99Ms: round2(Math.max(...full.gapsP99)),
      targetP99Ms: 250,
    });
    print({
      bench: 'progress-latency-paced',
      target: 'livedrop',
      note: `from bytes on disk to a watcher, uploads paced at ${pacedMibPerS} MiB/s each`,
      watchers,
      uploads,
      ...summary(pacedDisk),
      probeGapP99Ms: round2(paced.probe.gapP99Ms),
      targetP99Ms: 250,
      ...watcherStats(report),
    });
    print({
      bench: 'progress-latency-from-client',
      target: 'livedrop',
      note: 'secondary: from the uploader writing to its socket (includes kernel socket buffers)',
      watchers,
      uploads,
      ...summary(full.client),
      pacedP50Ms: summary(pacedClient).p50Ms,
      pacedP99Ms: summary(pacedClient).p99Ms,
    });

    const cpu = (xs: { serverCpuMsPerMib: number }[]) => median(xs.map((x) => x.serverCpuMsPerMib));
    const speed = (xs: { mibPerS: number }[]) => median(xs.map((x) => x.mibPerS));
    print({
      bench: 'watcher-cost',
      target: 'livedrop',
      note: `medians of ${rounds} interleaved round(s) of ${uploads} uploads at full speed`,
      watchers,
      baselineMibPerS: round2(speed(bare)),
      watchedMibPerS: round2(speed(watched)),
      watcherCostPct: round2((1 - speed(watched) / speed(bare)) * 100),
      baselineServerCpuMsPerMib: round2(cpu(bare)),
      watchedServerCpuMsPerMib: round2(cpu(watched)),
      serverCpuCostPct: round2((cpu(watched) / cpu(bare) - 1) * 100),
      targetPct: 10,
    });
  } finally {
    for (const child of children) child.kill();
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const print = (result: object) => console.log(JSON.stringify(result));
const log = (result: object) => console.error(`  ${JSON.stringify(result)}`);
const figures = (r: { mibPerS: number; serverCpuMsPerMib: number }) => ({
  mibPerS: round2(r.mibPerS),
  serverCpuMsPerMib: round2(r.serverCpuMsPerMib),
});

function summary(latencyMs: number[]) {
  const sorted = [...latencyMs].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: round2(percentile(sorted, 50)),
    p99Ms: round2(percentile(sorted, 99)),
    maxMs: round2(sorted.at(-1) ?? Number.NaN),
  };
}

await main();
