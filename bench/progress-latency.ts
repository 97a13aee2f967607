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
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { buildServers, compiled, startNodeArgs } from './lib/build.js';

const now = () => performance.timeOrigin + performance.now();
const here = fileURLToPath(import.meta.url);

/** A sampled watcher's sighting of a progress (or completed) event. */
type Sighting = [watcher: number, id: string, ref: string, size: number, at: number];

interface WatcherReport {
  sightings: Sighting[];
  messages: number;
  completed: number;
  closed: number;
}

// ---- watcher process ------------------------------------------------------------------------

/** Runs in a child: opens and closes the watchers on command, reports what they saw. */
function runWatchers(url: string, count: number, sampled: number): void {
  let sockets: WebSocket[] = [];
  let report: WatcherReport = { sightings: [], messages: 0, completed: 0, closed: 0 };
  const open = async () => {
    for (let i = 0; i < count; i++) {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      const sample = i < sampled;
      socket.on('message', (data) => {
        report.messages++;
        const text = String(data);
        // Only sampled watchers parse every event; the rest look for completions with a cheap test.
        if (sample) {
          const event = JSON.parse(text);
          if (event.type === 'upload.progress' || event.type === 'upload.completed') {
            report.sightings.push([i, event.upload.id, event.upload.ref, event.upload.size, now()]);
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

// ---- temp-file prober process ---------------------------------------------------------------

/** One growth of a temp file: its new size, the stat before (smaller size) and the stat that saw it. */
type Growth = [size: number, before: number, seen: number];

interface ProbeReport {
  /** By upload id (the temp file's name). */
  growth: Record<string, Growth[]>;
  /** Time between polls of the directory, p99 and max. */
  gapP99Ms: number;
  gapMaxMs: number;
}

/** Runs in a child: stats every file in `tempDir` every `everyMs` while told to. */
function runProber(tempDir: string, everyMs: number): void {
  // The prober is the stopwatch, not the system under test: ahead of the others in the CPU queue
  // (when allowed; as root on a shared 2-core machine its poll gap otherwise reaches 100+ ms).
  try {
    setPriority(-10);
  } catch {}
  let growth = new Map<string, Growth[]>();
  const lastStat = new Map<string, number>();
  let gaps: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastPoll = 0;
  const poll = () => {
    const started = now();
    if (lastPoll !== 0) gaps.push(started - lastPoll);
    // A file new since the last poll got its bytes after that poll began.
    const previousPoll = lastPoll || started;
    lastPoll = started;
    let names: string[] = [];
    try {
      names = readdirSync(tempDir);
    } catch {}
    for (const name of names) {
      if (name.endsWith('.json')) continue; // a sidecar being committed
      let size: number;
      const before = lastStat.get(name) ?? previousPoll;
      try {
        size = statSync(join(tempDir, name)).size;
      } catch {
        continue; // renamed into place since readdir
      }
      const seen = now();
      lastStat.set(name, seen);
      const list = growth.get(name);
      if (list === undefined) growth.set(name, [[size, before, seen]]);
      else if (size > list[list.length - 1]![0]) list.push([size, before, seen]);
    }
    timer = setTimeout(poll, everyMs);
  };
  process.on('message', (message: string) => {
    if (message === 'start') {
      growth = new Map();
      lastStat.clear();
      gaps = [];
      lastPoll = 0;
      poll();
      process.send?.('started');
    } else if (message === 'report') {
      clearTimeout(timer);
      const sorted = gaps.sort((a, b) => a - b);
      const report: ProbeReport = {
        growth: Object.fromEntries(growth),
        gapP99Ms: percentile(sorted, 99),
        gapMaxMs: sorted.at(-1) ?? Number.NaN,
      };
      process.send?.(report);
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
): Promise<string> {
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
        let body = '';
        res.setEncoding('utf8').on('data', (text: string) => {
          body += text;
        });
        res.on('end', () =>
          res.statusCode === 201
            ? resolve((JSON.parse(body) as { uploads: { id: string }[] }).uploads[0]!.id)
            : reject(new Error(`upload ${ref}: HTTP ${res.statusCode} ${body}`)),
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
  const ids = await Promise.all(
    Array.from({ length: uploads }, (_, i) => upload(port, `${label}-${i}`, size, data, marks, mibPerS)),
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

/** User + system CPU time of a process, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // utime and stime, fields 14 and 15 of proc(5), counted after the command name's closing ')',
    // in clock ticks (100 per second on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Sampled watchers' sightings, by watcher and a key (upload id or ref), in arrival order. */
function sightingsBy(sightings: Sighting[], key: 'id' | 'ref'): Map<number, Map<string, Sighting[]>> {
  const byWatcher = new Map<number, Map<string, Sighting[]>>();
  for (const sighting of sightings) {
    const [watcher, id, ref] = sighting;
    const byKey = byWatcher.get(watcher) ?? new Map<string, Sighting[]>();
    byWatcher.set(watcher, byKey);
    const k = key === 'id' ? id : ref;
    const list = byKey.get(k);
    if (list) list.push(sighting);
    else byKey.set(k, [sighting]);
  }
  return byWatcher;
}

/** How long after `at` a watcher first saw `bytes` or more of the upload; Infinity if never. */
function coveredAfter(list: Sighting[] | undefined, bytes: number, at: number): number {
  const cover = list?.find((s) => s[3] >= bytes);
  return cover ? cover[4] - at : Number.POSITIVE_INFINITY;
}

/**
 * From the disk: for every upload, every MARK_EVERY-th byte the prober saw reach the temp file, and
 * every sampled watcher: how long from that write (the stat before the one that saw it) until the
 * watcher saw a size covering it.
 */
function diskLatencies(probe: ProbeReport, sightings: Sighting[]): number[] {
  const result: number[] = [];
  for (const byId of sightingsBy(sightings, 'id').values()) {
    for (const [id, growth] of Object.entries(probe.growth)) {
      const list = byId.get(id);
      let g = 0;
      for (let bytes = MARK_EVERY; bytes <= growth[growth.length - 1]![0]; bytes += MARK_EVERY) {
        while (growth[g]![0] < bytes) g++;
        result.push(coveredAfter(list, bytes, growth[g]![1]));
      }
    }
  }
  return result;
}

/** From the uploader (secondary): from writing byte N into the socket until a watcher saw it. */
function clientLatencies(marks: Mark[], sightings: Sighting[]): number[] {
  const result: number[] = [];
  for (const byRef of sightingsBy(sightings, 'ref').values()) {
    for (const mark of marks) result.push(coveredAfter(byRef.get(mark.ref), mark.bytes, mark.at));
  }
  return result;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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

function forkRole(role: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(here, ['--role', role], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve) => child.once('message', () => resolve(child)));
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

const role = process.argv[process.argv.indexOf('--role') + 1];
if (process.argv.includes('--role') && role === 'watchers') {
  runWatchers(process.env.BENCH_URL!, Number(process.env.BENCH_WATCHERS), Number(process.env.BENCH_SAMPLED));
} else if (process.argv.includes('--role') && role === 'prober') {
  runProber(process.env.BENCH_TEMP_DIR!, Number(process.env.BENCH_PROBE_MS));
} else {
  await main();
}
