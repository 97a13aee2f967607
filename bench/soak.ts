// Soak: one server (child process) under steady load for N minutes, then a verdict.
//   npm run soak -- --minutes 10 [--uploaders 50] [--watchers 500] [--stuck-watchers 20]
//                   [--max-size 64MiB] [--abort-rate 0.1]
// Uploaders post files of random size (up to --max-size), 10 % of them cut off midway; every completed
// upload's stored SHA-256 is compared with the client's (and every 10th one is downloaded and hashed),
// then deleted. Watchers hold the WebSocket feed open the whole time; stuck watchers (which stop
// reading after the handshake) join during the first half and must all be dropped by the server.
// The report: requests, 5xx answers, SHA-256 mismatches, other failures, leftover temp files, open
// fds and RSS of the server. Targets: 0 / 0 / 0 / 0, fds back to baseline, RSS growth < 10 % between
// warm-up and the end (both read at rest: the load pauses for a moment at each point).
// Exits 1 when a target is missed. UPLOAD_DIR is on tmpfs (/dev/shm) when it is big enough.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, statfs } from 'node:fs/promises';
import http from 'node:http';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parseBytes } from '../server/config.js';
import { openStuckWatcher, openWatchers } from './soak-watchers.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    uploaders: { type: 'string', default: '50' },
    watchers: { type: 'string', default: '500' },
    'max-size': { type: 'string', default: '64MiB' },
    'abort-rate': { type: 'string', default: '0.1' },
    'stuck-watchers': { type: 'string', default: '20' },
  },
});
const durationMs = Number(args.minutes) * 60_000;
const uploaders = Number(args.uploaders);
const watcherCount = Number(args.watchers);
const maxSize = parseBytes(args['max-size']) ?? Number.NaN;
const abortRate = Number(args['abort-rate']);
const stuckCount = Number(args['stuck-watchers']);
if (
  !(
    durationMs > 0 &&
    uploaders > 0 &&
    watcherCount >= 1 &&
    stuckCount >= 0 &&
    maxSize > 0 &&
    abortRate >= 0 &&
    abortRate < 1
  )
) {
  console.error(
    'usage: npm run soak -- --minutes N [--uploaders 50] [--watchers 500] [--stuck-watchers 20] [--max-size 64MiB] [--abort-rate 0.1]',
  );
  process.exit(2);
}
/** Warm-up: a quarter of the run, at least 30 s. RSS is compared between its end and the end of the run. */
const warmUpMs = Math.max(30_000, durationMs / 4);
/** RSS is read with the load paused (no upload in flight, watchers still connected), after this long. */
const SETTLE_MS = 2000;
const CHUNK = 256 * 1024;
const HOST = '127.0.0.1';

const stats = {
  requests: 0,
  serverErrors: 0,
  completed: 0,
  aborted: 0,
  mismatches: 0,
  verifiedBytes: 0,
  failures: 0,
};
/** The first few failures, verbatim, for the report. */
const failureSamples: string[] = [];
const fail = (what: string) => {
  stats.failures++;
  if (failureSamples.length < 20) failureSamples.push(what);
};

// ---- the server -------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, HOST);
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const procFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const procRss = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

async function startServer(uploadDir: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST,
      UPLOAD_DIR: uploadDir,
      LOG_LEVEL: 'warn',
      MAX_FILE_SIZE: String(maxSize),
      // Stuck watchers miss a pong and are dropped within two intervals.
      HEARTBEAT_INTERVAL_MS: '5000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const up = await request('GET', port, '/api/health').then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) return { child, port };
    await sleep(50);
  }
  throw new Error('server did not start');
}

// ---- HTTP -------------------------------------------------------------------------------------

function request(method: string, port: number, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Counts an answer; a 5xx is a server error whatever the request was. */
function answered(status: number, what: string): void {
  stats.requests++;
  if (status >= 500) {
    stats.serverErrors++;
    fail(`${what}: ${status}`);
  }
}

/** Every upload answered 201: each must also have been announced to the watchers. */
const completedIds: string[] = [];

/** The bytes of every upload are a slice of one random pool: cheap to make, different every time. */
const pool = randomBytes(maxSize + CHUNK);

interface Uploaded {
  id: string;
  sha256: string;
  size: number;
}

/** Posts `data` as one multipart file; with `cutAt`, destroys the request after that many body bytes. */
function postFile(port: number, data: Buffer, cutAt?: number): Promise<Uploaded | null> {
  const boundary = `soak${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="size"\r\n\r\n${data.length}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="soak.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = [head, data, tail];
  const length = head.length + data.length + tail.length;
  return new Promise((resolve) => {
    const req = http.request({
      host: HOST,
      port,
      path: '/api/uploads',
      method: 'POST',
      agent: false,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': length },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        answered(res.statusCode!, 'POST /api/uploads');
        if (res.statusCode !== 201) {
          fail(`upload answered ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`);
          return resolve(null);
        }
        const [upload] = (JSON.parse(Buffer.concat(chunks).toString()) as { uploads: Uploaded[] }).uploads;
        resolve(upload ?? null);
      });
    });
    req.on('error', (error) => {
      if (cutAt === undefined) fail(`upload failed: ${error.message}`);
      resolve(null);
    });
    let sent = 0;
    const pieces = body.flatMap((part) =>
      Array.from({ length: Math.ceil(part.length / CHUNK) }, (_, i) =>
        part.subarray(i * CHUNK, (i + 1) * CHUNK),
      ),
    );
    const pump = () => {
      for (;;) {
        const piece = pieces.shift();
        if (piece === undefined) return void req.end();
        if (cutAt !== undefined && sent + piece.length > cutAt) {
          // Cut midway: what was sent reached the server, then the client vanishes.
          req.write(piece.subarray(0, cutAt - sent), () => req.destroy());
          return;
        }
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

/**
 * The load pauses twice, at the end of warm-up and at the end, so that RSS is compared at rest: under
 * load it swings by the tens of MiB that 50 uploads hold in flight, which would hide any trend.
 */
const load = { active: 0, gate: null as Promise<void> | null };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function quiescedRss(pid: number): Promise<number> {
  let release = () => {};
  load.gate = new Promise((resolve) => {
    release = resolve;
  });
  while (load.active > 0) await sleep(50);
  await sleep(SETTLE_MS);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++, await sleep(200)) readings.push(procRss(pid));
  load.gate = null;
  release();
  return median(readings);
}

async function uploader(port: number, until: number, index: number): Promise<void> {
  for (let round = 0; Date.now() < until; round++) {
    if (load.gate) await load.gate;
    load.active++;
    try {
      await uploadOnce(port, round + index);
    } finally {
      load.active--;
    }
  }
}

/** One upload (cut off midway for --abort-rate of them), checked against the index and deleted. */
async function uploadOnce(port: number, round: number): Promise<void> {
  const size = randomInt(1, maxSize + 1);
  const offset = randomInt(0, pool.length - size + 1);
  const data = pool.subarray(offset, offset + size);
  if (Math.random() < abortRate) {
    stats.aborted++;
    await postFile(port, data, randomInt(0, size));
    return;
  }
  const expected = createHash('sha256').update(data).digest('hex');
  const upload = await postFile(port, data);
  if (!upload) return;
  stats.completed++;
  completedIds.push(upload.id);
  const meta = await request('GET', port, `/api/uploads/${upload.id}`);
  answered(meta.status, 'GET /api/uploads/:id');
  const stored = meta.status === 200 ? (JSON.parse(meta.body.toString()) as Uploaded) : null;
  if (upload.sha256 !== expected || stored?.sha256 !== expected || stored?.size !== size) {
    stats.mismatches++;
    fail(`sha256 mismatch on ${upload.id}`);
  }
  // Every 10th file is read back in full: the bytes on disk, not only the digest in the index.
  if (round % 10 === 0) {
    const content = await request('GET', port, `/api/uploads/${upload.id}/content`);
    answered(content.status, 'GET content');
    stats.verifiedBytes += content.body.length;
    if (createHash('sha256').update(content.body).digest('hex') !== expected) {
      stats.mismatches++;
      fail(`content of ${upload.id} differs from what was sent`);
    }
  }
  const deleted = await request('DELETE', port, `/api/uploads/${upload.id}`);
  answered(deleted.status, 'DELETE');
  if (deleted.status !== 204) fail(`DELETE answered ${deleted.status}`);
}

// ---- the run ----------------------------------------------------------------------------------

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** tmpfs keeps the disk out of the measurement, but only if it can hold every upload in flight twice. */
async function storageBase(): Promise<string> {
  const needed = 2 * uploaders * maxSize;
  const shm = await statfs('/dev/shm').catch(() => null);
  if (shm && shm.bavail * shm.bsize >= needed) return '/dev/shm';
  console.log(`soak: /dev/shm cannot hold ${mib(needed)}; UPLOAD_DIR goes to ${tmpdir()}`);
  return tmpdir();
}

const uploadDir = await mkdtemp(join(await storageBase(), 'livedrop-soak-'));
const { child, port } = await startServer(uploadDir);
const pid = child.pid!;
try {
  await sleep(500);
  const fdsStart = procFds(pid);
  const rssStart = procRss(pid);
  console.log(
    `soak: ${args.minutes} min, ${uploaders} uploaders (≤ ${mib(maxSize)}, ${abortRate * 100} % aborted), ${watcherCount} watchers; server pid ${pid}, UPLOAD_DIR ${uploadDir}`,
  );
  const watchers = await openWatchers(`ws://${HOST}:${port}/api/events`, watcherCount, fail);
  stats.requests += watcherCount;
  const started = Date.now();
  let rssPeak = 0;
  const progress = setInterval(() => {
    const rss = procRss(pid);
    rssPeak = Math.max(rssPeak, rss);
    console.log(
      `  ${Math.round((Date.now() - started) / 1000)} s: ${stats.completed} completed, ${stats.aborted} aborted, ` +
        `${stats.serverErrors} 5xx, rss ${mib(rss)}, fds ${procFds(pid)}`,
    );
  }, 5000);
  // Stuck watchers join one by one during the first half of the run; the server must drop them all.
  const stuck: Socket[] = [];
  for (let i = 1; i <= stuckCount; i++) {
    setTimeout(
      () => void openStuckWatcher(HOST, port).then((socket) => stuck.push(socket)),
      (i * durationMs) / 2 / stuckCount,
    );
  }
  stats.requests += stuckCount;
  const uploading = Promise.all(
    Array.from({ length: uploaders }, (_, i) => uploader(port, started + durationMs, i)),
  );
  await sleep(warmUpMs);
  const rssWarm = await quiescedRss(pid);
  console.log(`  warm-up over: RSS at rest ${mib(rssWarm)}`);
  await uploading;
  clearInterval(progress);
  const rssEnd = await quiescedRss(pid);
  const unannounced = completedIds.filter((id) => !watchers.announced.has(id)).length;
  const growth = (rssEnd - rssWarm) / rssWarm;
  for (let i = 0; i < 200 && watchers.presence !== watcherCount; i++) await sleep(100);
  const stuckLeft = watchers.presence - watcherCount;
  for (const socket of stuck) socket.destroy();
  await watchers.close();

  // Settle: closed sockets and discarded uploads take a moment to be released.
  let fdsEnd = procFds(pid);
  for (let i = 0; i < 100 && fdsEnd > fdsStart; i++) {
    await sleep(100);
    fdsEnd = procFds(pid);
  }
  const leftoverTemp = (await readdir(join(uploadDir, '.tmp'))).length;
  const strayFiles = (await readdir(uploadDir)).filter((name) => name !== '.tmp').length;
  const health = await request('GET', port, '/api/health').then(
    (r) => r.status,
    () => 0,
  );

  const checks = [
    ['5xx answers', stats.serverErrors === 0],
    ['sha256 mismatches', stats.mismatches === 0],
    ['other failures', stats.failures === 0],
    ['leftover temp files', leftoverTemp === 0],
    ['stray stored files', strayFiles === 0],
    ['fds back to baseline', fdsEnd <= fdsStart],
    ['RSS growth < 10 % after warm-up', growth < 0.1],
    [
      'watchers kept (none closed by the server)',
      watchers.unexpectedCloses === 0 && watchers.outOfOrder === 0,
    ],
    ['every completed upload announced to the watchers', unannounced === 0],
    [
      `stuck watchers dropped by the server (${stuck.length} opened)`,
      stuckLeft === 0 && stuck.length === stuckCount,
    ],
    ['healthy at the end', health === 200],
  ] as const;
  const report = {
    minutes: Number(((Date.now() - started) / 60_000).toFixed(2)),
    requests: stats.requests,
    serverErrors: stats.serverErrors,
    completed: stats.completed,
    aborted: stats.aborted,
    sha256Mismatches: stats.mismatches,
    bytesReadBack: stats.verifiedBytes,
    failures: stats.failures,
    failureSamples,
    leftoverTempFiles: leftoverTemp,
    strayFiles,
    watcherMessages: watchers.messages,
    watchersClosedByServer: watchers.unexpectedCloses,
    completedNotAnnounced: unannounced,
    stuckWatchers: { opened: stuck.length, notDropped: stuckLeft },
    fds: { start: fdsStart, end: fdsEnd },
    rss: {
      start: rssStart,
      afterWarmUp: rssWarm,
      end: rssEnd,
      peak: rssPeak,
      growthPercent: Number((growth * 100).toFixed(1)),
    },
  };
  console.log(JSON.stringify(report));
  console.log(
    `requests ${stats.requests} | 5xx ${stats.serverErrors} | sha256 mismatches ${stats.mismatches} | ` +
      `leftover temp files ${leftoverTemp} | fds ${fdsStart} → ${fdsEnd} | RSS ${mib(rssStart)} start, ` +
      `${mib(rssWarm)} after warm-up, ${mib(rssEnd)} end (${report.rss.growthPercent} %)`,
  );
  for (const [name, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
  process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await rm(uploadDir, { recursive: true, force: true });
}
