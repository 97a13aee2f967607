// Benchmark: resumable ingest. tus uploads (default 8 × 128 MiB in 8 MiB PATCHes, 4 at a time) into a
// tmpfs, to livedrop's /api/tus (sha256 on, one watcher) and to @tus/server with its FileStore (the
// Node tus anchor), and the same files through livedrop's own multipart path, interleaved rounds.
// Reports MB/s, server CPU-s per GiB stored and peak RSS; `livedrop-tus-2x` sends half as many files
// of twice the size, to show peak RSS does not grow with file size; `livedrop-tus-none` (CHECKSUM=none)
// and `raw-pipe` (a bare http server piping bodies to files) show what the SHA-256 and the floor cost.
// Usage: tsx bench/tus-ingest.ts [--quick] [--rounds N] [--files N] [--file-mib N] [--patch-mib N]
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { buildServers } from './lib/build.js';
import { inPool, postMultipart } from './lib/multipart-upload.js';
import { benchOptions, emit, GiB, log, MiB, median, rotated, round3 } from './lib/report.js';
import { mountScratch, removeStoredFiles } from './lib/scratch-dir.js';
import { type ServerProcess, type ServerSpec, startServer } from './lib/server-process.js';
import { livedrop, livedropNoChecksum, rawPipe, tusNodeServer } from './lib/targets.js';
import { tusUpload } from './lib/tus-upload.js';
import { connectWatcher, type Watcher } from './lib/watcher.js';

const BENCH = 'tus-ingest';
const { quick, rounds: roundsFlag } = benchOptions();
const { values } = parseArgs({
  options: { files: { type: 'string' }, 'file-mib': { type: 'string' }, 'patch-mib': { type: 'string' } },
  strict: false,
});
const files = Number(values.files ?? 8);
const fileBytes = Number(values['file-mib'] ?? (quick ? 32 : 128)) * MiB;
const patchBytes = Number(values['patch-mib'] ?? 8) * MiB;
const concurrency = 4;
const rounds = roundsFlag ?? (quick ? 1 : 3);

interface Target {
  name: string;
  spec: ServerSpec;
  send(port: number): Promise<{ status: number; body: string }>;
  files: number;
  baseline?: boolean;
  server?: ServerProcess;
  dir?: string;
  watcher?: Watcher;
  failed?: string;
  mbPerS: number[];
  cpuSPerGiB: number[];
  peakRss: number[];
}

const named = (spec: ServerSpec, target: string): ServerSpec => ({ ...spec, target });
const targets: Target[] = [
  {
    name: 'livedrop-tus',
    spec: named(livedrop(''), 'livedrop-tus'),
    send: (port: number) => tusUpload(port, '/api/tus', fileBytes, patchBytes),
    files,
  },
  {
    name: 'tus-node-server',
    spec: tusNodeServer(''),
    send: (port: number) => tusUpload(port, '/files', fileBytes, patchBytes),
    files,
    baseline: true,
  },
  {
    name: 'livedrop-multipart',
    spec: named(livedrop(''), 'livedrop-multipart'),
    send: (port: number) => postMultipart(port, '/api/uploads', fileBytes),
    files,
  },
  {
    name: 'livedrop-tus-none',
    spec: named(livedropNoChecksum(''), 'livedrop-tus-none'),
    send: (port: number) => tusUpload(port, '/api/tus', fileBytes, patchBytes),
    files,
  },
  {
    // The floor: receiving the bytes and writing them to the tmpfs, nothing else.
    name: 'raw-pipe',
    spec: rawPipe(''),
    send: (port: number) => postMultipart(port, '/', fileBytes),
    files,
  },
  {
    name: 'livedrop-tus-2x',
    spec: named(livedrop(''), 'livedrop-tus-2x'),
    send: (port: number) => tusUpload(port, '/api/tus', 2 * fileBytes, patchBytes),
    files: Math.max(1, files / 2),
  },
].map((t) => ({ ...t, mbPerS: [], cpuSPerGiB: [], peakRss: [] }));

buildServers();
const scratch = mountScratch(2 * files * fileBytes + 256 * MiB);
try {
  for (const target of targets) {
    target.dir = scratch.subdir(target.name);
    target.server = await startServer({
      ...target.spec,
      env: { ...target.spec.env, UPLOAD_DIR: target.dir },
    });
    if (target.name === 'livedrop-tus') {
      const watcher = await connectWatcher(target.server.port);
      if (typeof watcher !== 'string') target.watcher = watcher;
    }
  }
  log(
    `${BENCH}: ${files} × ${fileBytes / MiB} MiB, ${patchBytes / MiB} MiB PATCHes, ${concurrency} at a time, ${rounds} round(s), into ${scratch.kind}`,
  );
  for (let round = 0; round < rounds; round++) {
    for (const target of rotated(targets, round)) {
      const server = target.server!;
      if (target.failed) continue;
      server.resetPeakRss();
      const cpuBefore = server.cpuSeconds();
      const started = performance.now();
      const outcomes = await inPool(target.files, concurrency, () => target.send(server.port));
      const seconds = (performance.now() - started) / 1000;
      await sleep(100);
      const cpu = server.cpuSeconds() - cpuBefore;
      const { peakRssBytes } = server.memory();
      removeStoredFiles(target.dir!);
      const bad = outcomes.find((o) => o.status < 200 || o.status > 299);
      if (bad) {
        target.failed = `answered ${bad.status}: ${bad.body.slice(0, 200)}`;
        log(`${target.name}: ${target.failed}`);
        continue;
      }
      const stored = target.name.endsWith('-2x') ? target.files * 2 * fileBytes : target.files * fileBytes;
      target.mbPerS.push(stored / 1e6 / seconds);
      target.cpuSPerGiB.push(cpu / (stored / GiB));
      target.peakRss.push(peakRssBytes);
      log(
        `round ${round + 1} ${target.name}: ${(stored / 1e6 / seconds).toFixed(0)} MB/s, ${(cpu / (stored / GiB)).toFixed(2)} CPU-s/GiB, peak RSS ${(peakRssBytes / MiB).toFixed(0)} MiB`,
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
      peakRssMiB: round3(Math.max(...target.peakRss) / MiB),
      rounds,
      ...(target.watcher && { watcherEvents: target.watcher.events() }),
    });
  }
} finally {
  for (const target of targets) {
    target.watcher?.close();
    await target.server?.stop();
  }
  scratch.release();
}
