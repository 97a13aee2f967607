// Progress latency and the cost of watchers: the server runs as a child process, 500 WebSocket
// watchers run in a second one (so their JSON parsing does not slow the uploader), and this process
// posts 20 concurrent multipart uploads. Latency = from the moment the uploader wrote byte N to the
// moment a watcher saw a progress event with size ≥ N (wall clocks of processes on one machine,
// performance.timeOrigin + performance.now()). Throughput is measured with 500 watchers and with none,
// alternating rounds so that drift on a shared machine hits both alike.
//
//   npx tsx bench/progress-latency.ts [--watchers 500] [--uploads 20] [--mib 16] [--rounds 2]
//
// Prints one JSON line per result; a latency of Infinity means a watcher never saw those bytes.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

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

/** One multipart POST streaming `size` bytes; records when each MARK_EVERY-th byte was written. */
function upload(port: number, ref: string, size: number, data: Buffer, marks: Mark[]): Promise<void> {
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
    const pump = () => {
      while (sent < size) {
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

async function uploadRound(port: number, label: string, uploads: number, size: number, data: Buffer) {
  const marks: Mark[] = [];
  const started = now();
  await Promise.all(
    Array.from({ length: uploads }, (_, i) => upload(port, `${label}-${i}`, size, data, marks)),
  );
  const seconds = (now() - started) / 1000;
  return { marks, mibPerS: (uploads * size) / 1024 / 1024 / seconds, seconds };
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
    },
  });
  const watchers = Number(values.watchers);
  const uploads = Number(values.uploads);
  const size = Number(values.mib) * 1024 * 1024;
  const rounds = Number(values.rounds);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'livedrop-bench-'));
  const server = spawn(process.execPath, ['--import', 'tsx', join(here, '../../server/main.ts')], {
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

    const baseline: number[] = [];
    const watched: number[] = [];
    const allLatencies: number[] = [];
    // Rounds alternate, none / 500 watchers, so drift on a shared machine hits both alike.
    for (let round = 0; round < rounds; round++) {
      const bare = await uploadRound(port, `b${round}`, uploads, size, data);
      baseline.push(bare.mibPerS);
      console.log(
        JSON.stringify({
          bench: 'upload-throughput',
          watchers: 0,
          uploads,
          round,
          mibPerS: round2(bare.mibPerS),
        }),
      );

      await ask(watcherProcess, 'open');
      await new Promise((resolve) => setTimeout(resolve, 500)); // the joins' presence events settle
      await ask(watcherProcess, 'report'); // forget the snapshot and join traffic
      const result = await uploadRound(port, `w${round}`, uploads, size, data);
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the last events arrive
      const report = await ask<WatcherReport>(watcherProcess, 'report');
      await ask(watcherProcess, 'close');
      allLatencies.push(...latencies(result.marks, report.sightings));
      watched.push(result.mibPerS);
      console.log(
        JSON.stringify({
          bench: 'upload-throughput',
          watchers,
          uploads,
          round,
          mibPerS: round2(result.mibPerS),
          messagesPerWatcher: round2(report.messages / watchers),
          completedSeenPerWatcher: round2(report.completed / watchers),
          watchersClosedByServer: report.closed,
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 500)); // the leaves settle
    }
    watcherProcess.kill();
    const sorted = allLatencies.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        bench: 'progress-latency',
        watchers,
        uploads,
        samples: sorted.length,
        p50Ms: round2(percentile(sorted, 50)),
        p99Ms: round2(percentile(sorted, 99)),
        maxMs: round2(sorted.at(-1) ?? Number.NaN),
        targetP99Ms: 250,
      }),
    );
    const best = (xs: number[]) => Math.max(...xs);
    console.log(
      JSON.stringify({
        bench: 'watcher-cost',
        watchers,
        baselineMibPerS: round2(best(baseline)),
        watchedMibPerS: round2(best(watched)),
        costPct: round2((1 - best(watched) / best(baseline)) * 100),
        targetPct: 10,
      }),
    );
  } finally {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

if (process.argv.includes('--role')) {
  runWatchers(process.env.BENCH_URL!, Number(process.env.BENCH_WATCHERS), Number(process.env.BENCH_SAMPLED));
} else {
  await main();
}
