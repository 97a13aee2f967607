// Benchmark 1, upload ingest: multipart uploads (default 8 × 128 MiB, 4 at a time) into a tmpfs, to
// livedrop (sha256 + one watcher), livedrop CHECKSUM=none, the raw-pipe ceiling and naive
// @fastify/multipart. Reports MB/s (10^6 bytes per wall second) and the server process's CPU
// seconds per GiB stored, each the median over interleaved rounds.
// Usage: tsx bench/ingest.ts [--quick] [--rounds N] [--files N] [--file-mib N] [--concurrency N]
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { buildServers } from './lib/build.js';
import { inPool, postMultipart } from './lib/multipart-upload.js';
import { benchOptions, emit, GiB, log, MiB, median, rotated, round3 } from './lib/report.js';
import { mountScratch, removeStoredFiles } from './lib/scratch-dir.js';
import { type ServerProcess, startServer } from './lib/server-process.js';
import { livedrop, livedropNoChecksum, naiveMultipart, rawPipe } from './lib/targets.js';
import { connectWatcher, type Watcher } from './lib/watcher.js';

const BENCH = 'ingest';
const { quick, rounds: roundsFlag } = benchOptions();
const { values } = parseArgs({
  options: { files: { type: 'string' }, 'file-mib': { type: 'string' }, concurrency: { type: 'string' } },
  strict: false,
});
const files = Number(values.files ?? 8);
const fileBytes = Number(values['file-mib'] ?? (quick ? 32 : 128)) * MiB;
const concurrency = Number(values.concurrency ?? 4);
const rounds = roundsFlag ?? (quick ? 1 : 3);

interface Target {
  name: string;
  server: ServerProcess;
  dir: string;
  baseline?: boolean;
  watcher?: Watcher;
  note?: string;
  failed?: string;
  mbPerS: number[];
  cpuSPerGiB: number[];
}

buildServers();
const scratch = mountScratch(files * fileBytes + 256 * MiB);
const targets: Target[] = [];
try {
  for (const [spec, extra] of [
    [livedrop, {}],
    [livedropNoChecksum, {}],
    [rawPipe, { baseline: true }],
    [naiveMultipart, {}],
  ] as const) {
    const dir = scratch.subdir(spec('').target);
    const server = await startServer(spec(dir));
    targets.push({ name: server.target, server, dir, ...extra, mbPerS: [], cpuSPerGiB: [] });
  }
  const withWatcher = targets[0]!;
  const watcher = await connectWatcher(withWatcher.server.port);
  if (typeof watcher === 'string') withWatcher.note = watcher;
  else withWatcher.watcher = watcher;

  log(
    `${BENCH}: ${files} × ${fileBytes / MiB} MiB, ${concurrency} at a time, ${rounds} round(s), into ${scratch.kind}`,
  );
  for (let round = 0; round < rounds; round++) {
    for (const target of rotated(targets, round)) {
      if (target.failed) continue;
      const { server } = target;
      const cpuBefore = server.cpuSeconds();
      const started = performance.now();
      const outcomes = await inPool(files, concurrency, () =>
        postMultipart(server.port, '/api/uploads', fileBytes),
      );
      const seconds = (performance.now() - started) / 1000;
      await sleep(100); // let the server finish any bookkeeping after the last response
      const cpu = server.cpuSeconds() - cpuBefore;
      removeStoredFiles(target.dir);
      const bad = outcomes.find((o) => o.status < 200 || o.status > 299);
      if (bad) {
        target.failed = `POST /api/uploads answered ${bad.status}: ${bad.body.slice(0, 200)}`;
        log(`${target.name}: ${target.failed}`);
        continue;
      }
      const stored = files * fileBytes;
      target.mbPerS.push(stored / 1e6 / seconds);
      target.cpuSPerGiB.push(cpu / (stored / GiB));
      log(
        `round ${round + 1} ${target.name}: ${(stored / 1e6 / seconds).toFixed(0)} MB/s, ${(cpu / (stored / GiB)).toFixed(2)} CPU-s/GiB`,
      );
    }
  }

  for (const target of targets) {
    if (target.failed) {
      emit({ bench: BENCH, target: target.name, skipped: target.failed });
      continue;
    }
    emit({
      bench: BENCH,
      target: target.name,
      ...(target.baseline && { baseline: true }),
      mbPerS: round3(median(target.mbPerS)),
      cpuSPerGiB: round3(median(target.cpuSPerGiB)),
      rounds,
      ...(target.watcher && { watcherEvents: target.watcher.events() }),
      ...(target.note && { note: target.note }),
    });
  }
} finally {
  for (const target of targets) {
    target.watcher?.close();
    await target.server.stop();
  }
  scratch.release();
}
