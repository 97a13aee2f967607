// Progress latency and the cost of watchers: the server runs as a child process, 500 WebSocket
// watchers run in a second one (so their JSON parsing does not slow the uploader), and this process
// posts 20 concurrent multipart uploads. Latency = from the moment the uploader wrote byte N to the
// moment a watcher saw a progress event with size ≥ N (wall clocks of processes on one machine,
// performance.timeOrigin + performance.now()). Throughput is measured with 500 watchers and with none,
// alternating rounds so that drift on a shared machine hits both alike.
//
//   npx tsx bench/progress-latency.ts [--watchers 500] [--uploads 20] [--mib 16] [--rounds 2] [--paced-mib 2] [--quick]
//
// Prints one JSON line per result in the shared format (bench/lib/report.ts), per-round figures on
// stderr; a latency of Infinity means a watcher never saw those bytes. The server is the compiled one,
// started as `npm start` starts it.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { buildServers, compiled, startNodeArgs } from './lib/build.js';

const now = () => performance.timeOrigin + performance.now();
const here = fileURLToPath(import.meta.url);

/** A sampled watcher's sighting of a progress (or completed) event: which watcher, upload ref, size, when. */
type Sighting = [watcher: number, ref: string, size: number, at: number];

interface WatcherReport {
  sightings: Sighting[];
  messages: number;
  completed: number;
  closed: number;
}

// ---- watcher process ------------------------------------------------------------------------

/** Runs in the child: opens and closes the watchers on command, reports what they saw. */
function runWatchers(url: string, count: number, sampled: number): void {
  let sockets: WebSocket[] = [];
  let report: WatcherReport = { sightings: [], messages: 0, completed: 0, closed: 0 };
  const open = async () => {
    for (let i = 0; i < count; i++) {
      const socket = new WebSocket(url);
      const sample = i < sampled;
      socket.on('message', (data) => {
        report.messages++;
        const text = String(data);
        // Only sampled watchers parse every event; the rest look for completions with a cheap test.
        if (sample) {
          const event = JSON.parse(text);
          if (event.type === 'upload.progress' || event.type === 'upload.completed') {
            report.sightings.push([i, event.upload.ref, event.upload.size, now()]);
          }
        }
        if (text.startsWith('{"type":"upload.completed"')) report.completed++;
      });
      socket.on('close', (code) => {
        if (code !== 1005 && code !== 1006) report.closed++;
      });
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      sockets.push(socket);
    }
  };
  process.on('message', async (message: string) => {
    if (message === 'open') {
      await open();
      process.send?.('opened');
    } else if (message === 'close') {
      for (const socket of sockets) socket.terminate();
      sockets = [];
      process.send?.('closed');
    } else if (message === 'report') {
      process.send?.(report);
      report = { sightings: [], messages: 0, completed: 0, closed: 0 };
    }
  });
  process.send?.('ready');
}

// ---- uploader (this process) ----------------------------------------------------------------

interface Mark {
  ref: string;
  bytes: number;
  at: number;
}

const CHUNK = 64 * 1024;
const MARK_EVERY = 512 * 1024;

/**
 * One multipart POST streaming `size` bytes; records when each MARK_EVERY-th byte was written.
 * With `mibPerS`, writes are paced to that rate (a client on a real network), otherwise as fast as
 * the socket takes them.
 */
function upload(
  port: number,
  ref: string,
  size: number,
  data: Buffer,
  marks: Mark[],
  mibPerS?: number,
): Promise<void> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="size"\r\n\r\n${size}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${ref}.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/api/uploads',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + size + tail.length,
          'x-upload-ref': ref,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 201 ? resolve() : reject(new Error(`upload ${ref}: HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.write(head);
    let sent = 0;
    let nextMark = MARK_EVERY;
    const begun = now();
    const pump = () => {
      while (sent < size) {
        if (mibPerS !== undefined) {
          const due = begun + (sent / (mibPerS * 1024 * 1024)) * 1000;
          if (due > now()) {
            setTimeout(pump, due - now());
            return;
          }
        }
        const n = Math.min(CHUNK, size - sent);
        const ok = req.write(data.subarray(0, n));
        sent += n;
        if (sent >= nextMark || sent === size) {
          marks.push({ ref, bytes: sent, at: now() });
          nextMark += MARK_EVERY;
        }
        if (!ok) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(tail);
    };
    pump();
  });
}

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
  await Promise.all(
    Array.from({ length: uploads }, (_, i) => upload(port, `${label}-${i}`, size, data, marks, mibPerS)),
  );
  const seconds = (now() - started) / 1000;
  const mib = (uploads * size) / 1024 / 1024;
  return {
    marks,
    mibPerS: mib / seconds,
    /** Server CPU per MiB stored: the cost of watchers without the clients' CPU on this machine. */
    serverCpuMsPerMib: (cpuMs(serverPid) - cpuBefore) / mib,
  };
}

/** User + system CPU time of a process, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // Fields 14 and 15 of proc(5), utime and stime, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** For every sampled watcher and every mark: how long until that watcher saw a size covering it. */
function latencies(marks: Mark[], sightings: Sighting[]): number[] {
  const seen = new Map<string, Sighting[]>(); // by watcher + ref, in arrival order
  for (const sighting of sightings) {
    const key = `${sighting[0]} ${sighting[1]}`;
    const list = seen.get(key) ?? [];
    list.push(sighting);
    seen.set(key, list);
  }
  const result: number[] = [];
  for (const [key, list] of seen) {
    const ref = key.slice(key.indexOf(' ') + 1);
    for (const mark of marks) {
      if (mark.ref !== ref) continue;
      const cover = list.find((s) => s[2] >= mark.bytes);
      result.push(cover ? cover[3] - mark.at : Number.POSITIVE_INFINITY);
    }
  }
  return result;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForHealth(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      request({ port, host: '127.0.0.1', path: '/api/health' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      })
        .on('error', () => resolve(false))
        .end();
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not start');
}

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (answer) => resolve(answer as T));
    child.send(message);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      watchers: { type: 'string', default: '500' },
      uploads: { type: 'string', default: '20' },
      mib: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '2' },
      sampled: { type: 'string', default: '20' },
      'paced-mib': { type: 'string', default: '2' },
      quick: { type: 'boolean', default: false },
    },
  });
  if (values.quick) {
    values.mib = '4';
    values.rounds = '1';
  }
  const watchers = Number(values.watchers);
  const uploads = Number(values.uploads);
  const size = Number(values.mib) * 1024 * 1024;
  const rounds = Number(values.rounds);
  const pacedMibPerS = Number(values['paced-mib']);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'livedrop-bench-'));
  buildServers();
  const server = spawn(process.execPath, [...startNodeArgs(), compiled('server/main.ts')], {
    env: { ...process.env, PORT: String(port), UPLOAD_DIR: dir, LOG_LEVEL: 'silent' },
    stdio: 'inherit',
  });
  try {
    await waitForHealth(port);
    const data = randomBytes(CHUNK);
    const watcherProcess = fork(here, ['--role', 'watchers'], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        BENCH_URL: `ws://127.0.0.1:${port}/api/events`,
        BENCH_WATCHERS: String(watchers),
        BENCH_SAMPLED: String(values.sampled),
      },
    });
    await new Promise((resolve) => watcherProcess.once('message', resolve));

    const serverPid = server.pid!;
    const round = (label: string, mibPerS?: number) =>
      uploadRound({ port, serverPid, label, uploads, size, data, mibPerS });
    const watching = async <T>(work: () => Promise<T>) => {
      await ask(watcherProcess, 'open');
      await new Promise((resolve) => setTimeout(resolve, 500)); // the joins' presence events settle
      await ask(watcherProcess, 'report'); // forget the snapshots and join traffic
      const result = await work();
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the last events arrive
      const report = await ask<WatcherReport>(watcherProcess, 'report');
      await ask(watcherProcess, 'close');
      await new Promise((resolve) => setTimeout(resolve, 500)); // the leaves settle
      return { result, report };
    };
    const watcherStats = (report: WatcherReport) => ({
      messagesPerWatcher: round2(report.messages / watchers),
      completedSeenPerWatcher: round2(report.completed / watchers),
      watchersClosedByServer: report.closed,
    });

    // Throughput at full speed, alternating no watchers / all watchers, so that drift on a shared
    // machine hits both alike.
    const bare: { mibPerS: number; serverCpuMsPerMib: number }[] = [];
    const watched: { mibPerS: number; serverCpuMsPerMib: number }[] = [];
    const fullSpeedLatencies: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const b = await round(`b${i}`);
      bare.push(b);
      log({ bench: 'upload-throughput', watchers: 0, uploads, round: i, ...figures(b) });
      const { result: w, report } = await watching(() => round(`w${i}`));
      watched.push(w);
      fullSpeedLatencies.push(...latencies(w.marks, report.sightings));
      log({
        bench: 'upload-throughput',
        watchers,
        uploads,
        round: i,
        ...figures(w),
        ...watcherStats(report),
      });
    }

    // Latency with uploads paced like clients on a network: at full speed on loopback, bytes also
    // wait in the kernel's socket buffers (MiBs per connection) before the server reads them, and
    // that wait, not the event path, would dominate the figure. Both are printed.
    const { result: paced, report } = await watching(() => round('paced', pacedMibPerS));
    const pacedLatencies = latencies(paced.marks, report.sightings);
    print({
      bench: 'progress-latency',
      target: 'livedrop',
      watchers,
      uploads,
      uploadMibPerS: pacedMibPerS,
      ...summary(pacedLatencies),
      targetP99Ms: 250,
      ...watcherStats(report),
    });
    print({
      bench: 'progress-latency-unpaced',
      target: 'livedrop',
      watchers,
      uploads,
      ...summary(fullSpeedLatencies),
    });

    const best = (xs: { mibPerS: number }[]) => Math.max(...xs.map((x) => x.mibPerS));
    const cpu = (xs: { serverCpuMsPerMib: number }[]) =>
      xs.reduce((sum, x) => sum + x.serverCpuMsPerMib, 0) / xs.length;
    print({
      bench: 'watcher-cost',
      target: 'livedrop',
      watchers,
      baselineMibPerS: round2(best(bare)),
      watchedMibPerS: round2(best(watched)),
      watcherCostPct: round2((1 - best(watched) / best(bare)) * 100),
      baselineServerCpuMsPerMib: round2(cpu(bare)),
      watchedServerCpuMsPerMib: round2(cpu(watched)),
      serverCpuCostPct: round2((cpu(watched) / cpu(bare) - 1) * 100),
      targetPct: 10,
    });
    watcherProcess.kill();
  } finally {
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

if (process.argv.includes('--role')) {
  runWatchers(process.env.BENCH_URL!, Number(process.env.BENCH_WATCHERS), Number(process.env.BENCH_SAMPLED));
} else {
  await main();
}
