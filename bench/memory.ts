// Benchmark 2, memory under load: each server's peak RSS (VmHWM) while 4 × 1 GiB multipart uploads
// run at once, for livedrop (sha256 + one watcher), livedrop CHECKSUM=none, raw-pipe and naive
// @fastify/multipart. Each measurement starts the server afresh; median over interleaved rounds (2).
// Usage: tsx bench/memory.ts [--quick] [--rounds N] [--uploads N] [--file-mib N]
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { buildServers } from './lib/build.js';
import { inPool, postMultipart } from './lib/multipart-upload.js';
import { benchOptions, emit, log, MiB, median, rotated, round3 } from './lib/report.js';
import { mountScratch } from './lib/scratch-dir.js';
import { type ServerSpec, startServer } from './lib/server-process.js';
import { livedrop, livedropNoChecksum, naiveMultipart, rawPipe } from './lib/targets.js';
import { connectWatcher } from './lib/watcher.js';

const BENCH = 'memory';
const { quick, rounds: roundsFlag } = benchOptions();
const { values } = parseArgs({
  options: { uploads: { type: 'string' }, 'file-mib': { type: 'string' } },
  strict: false,
});
const uploads = Number(values.uploads ?? 4);
const fileBytes = Number(values['file-mib'] ?? (quick ? 128 : 1024)) * MiB;
const rounds = roundsFlag ?? (quick ? 1 : 2);

interface Target {
  spec: (dir: string) => ServerSpec;
  baseline?: boolean;
  watcher?: boolean;
  peakMiB: number[];
  idleMiB: number[];
  notes: Set<string>;
  failed?: string;
}

const targets: Target[] = [
  { spec: livedrop, watcher: true },
  { spec: livedropNoChecksum },
  { spec: rawPipe, baseline: true },
  { spec: naiveMultipart },
].map((t) => ({ ...t, peakMiB: [], idleMiB: [], notes: new Set<string>() }));

buildServers();
const scratch = mountScratch(uploads * fileBytes + 256 * MiB);
try {
  log(`${BENCH}: ${uploads} × ${fileBytes / MiB} MiB at once, ${rounds} round(s), into ${scratch.kind}`);
  for (let round = 0; round < rounds; round++) {
    for (const target of rotated(targets, round)) {
      if (target.failed) continue;
      const dir = scratch.subdir(`${target.spec('').target}-${round}`);
      const server = await startServer(target.spec(dir));
      try {
        const watcher = target.watcher ? await connectWatcher(server.port) : undefined;
        if (typeof watcher === 'string') target.notes.add(watcher);
        await sleep(200);
        const idle = server.memory().rssBytes;
        if (!server.resetPeakRss()) target.notes.add('peak includes start-up (clear_refs not writable)');
        const outcomes = await inPool(uploads, uploads, () =>
          postMultipart(server.port, '/api/uploads', fileBytes),
        );
        const peak = server.memory().peakRssBytes;
        if (typeof watcher === 'object') watcher.close();
        const bad = outcomes.find((o) => o.status < 200 || o.status > 299);
        if (bad) {
          target.failed = `POST /api/uploads answered ${bad.status}: ${bad.body.slice(0, 200)}`;
          log(`${server.target}: ${target.failed}`);
          continue;
        }
        target.idleMiB.push(idle / MiB);
        target.peakMiB.push(peak / MiB);
        log(
          `round ${round + 1} ${server.target}: peak RSS ${(peak / MiB).toFixed(1)} MiB (idle ${(idle / MiB).toFixed(1)})`,
        );
      } finally {
        await server.stop();
        scratch.removeSubdir(dir);
      }
    }
  }
  for (const target of targets) {
    const name = target.spec('').target;
    if (target.failed) {
      emit({ bench: BENCH, target: name, skipped: target.failed });
      continue;
    }
    emit({
      bench: BENCH,
      target: name,
      ...(target.baseline && { baseline: true }),
      peakRssMiB: round3(median(target.peakMiB)),
      idleRssMiB: round3(median(target.idleMiB)),
      rounds,
      ...(target.notes.size > 0 && { note: [...target.notes].join('; ') }),
    });
  }
} finally {
  scratch.release();
}
