// The cost of the integrations on uploads (issue 13): small multipart uploads (default 400 × 64 KiB,
// 8 at a time) to four livedrop servers, interleaved round by round:
//   livedrop                no webhooks, no hook (the baseline)
//   webhooks-healthy        WEBHOOK_URLS → a receiver that answers 204 at once
//   webhooks-dead           WEBHOOK_URLS → a receiver that accepts connections and never answers:
//                           every delivery slot stays stuck, the queue (on disk) only grows
//   pre-upload-hook         HOOK_PRE_UPLOAD_URL → a hook that answers 204 at once (one call per file)
// Reports uploads per second (median over rounds) and the server's CPU milliseconds per upload. The
// receivers run in this process (they do almost nothing). Everything writes into a tmpfs, so the
// queue's fsyncs cost what they cost there: on a real disk each queued event pays one more fsync.
// Also the cost the metrics add to the upload hot path: nanoseconds per progress report through the
// metrics' observer wrapper against the same observer called directly (bench `metrics-observer`).
// Usage: tsx bench/integrations.ts [--quick] [--rounds N] [--uploads N] [--kib N] [--concurrency N]
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Metrics } from '../server/metrics.js';
import type { Upload } from '../server/uploads/upload.js';
import type { UploadObserver } from '../server/uploads/upload-observer.js';
import { buildServers } from './lib/build.js';
import { inPool, postMultipart } from './lib/multipart-upload.js';
import { benchOptions, emit, log, median, rotated, round3 } from './lib/report.js';
import { mountScratch, removeStoredFiles } from './lib/scratch-dir.js';
import { type ServerProcess, startServer } from './lib/server-process.js';
import { livedrop } from './lib/targets.js';

const BENCH = 'integrations';
const { quick, rounds: roundsFlag } = benchOptions();
const { values } = parseArgs({
  options: { uploads: { type: 'string' }, kib: { type: 'string' }, concurrency: { type: 'string' } },
  strict: false,
});
const uploads = Number(values.uploads ?? (quick ? 100 : 400));
const fileBytes = Number(values.kib ?? 64) * 1024;
const concurrency = Number(values.concurrency ?? 8);
const rounds = roundsFlag ?? (quick ? 1 : 5);

/** An HTTP receiver in this process: `answer` false means it never answers (a dead app). */
async function receiver(answer: boolean): Promise<{ url: string; server: Server; received: () => number }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      if (answer) res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/in`, server, received: () => received };
}

interface Target {
  name: string;
  server: ServerProcess;
  dir: string;
  baseline?: boolean;
  perS: number[];
  cpuMsPerUpload: number[];
  failed?: string;
}

/** ns per progress() call, the hot path's one observer call per acknowledged write. */
function progressCost(observer: UploadObserver, calls: number): number {
  const upload: Upload = {
    id: 'bench-upload-id-000000',
    name: 'a.bin',
    type: 'application/octet-stream',
    size: 0,
    expected: null,
    status: 'uploading',
    createdAt: new Date().toISOString(),
  };
  observer.started(upload);
  const started = process.hrtime.bigint();
  for (let i = 1; i <= calls; i++) {
    upload.size = i * 65536;
    observer.progress(upload);
  }
  const ns = Number(process.hrtime.bigint() - started) / calls;
  observer.completed({ ...upload, status: 'completed' });
  return ns;
}

let sink = 0;
const bare: UploadObserver = {
  started: () => {},
  progress: (upload) => {
    sink += upload.size;
  },
  completed: () => {},
  failed: () => {},
  aborted: () => {},
  paused: () => {},
  expired: () => {},
  deleted: () => {},
};
const observerCost = { bare: [] as number[], wrapped: [] as number[] };
for (let round = 0; round < rounds + 1; round++) {
  const calls = quick ? 1_000_000 : 5_000_000;
  const bareNs = progressCost(bare, calls);
  const wrappedNs = progressCost(new Metrics().observeUploads(bare), calls);
  if (round === 0) continue; // warm-up
  observerCost.bare.push(bareNs);
  observerCost.wrapped.push(wrappedNs);
}
emit({
  bench: 'metrics-observer',
  target: 'bare',
  baseline: true,
  nsPerProgress: round3(median(observerCost.bare)),
  rounds,
});
emit({
  bench: 'metrics-observer',
  target: 'with-metrics',
  nsPerProgress: round3(median(observerCost.wrapped)),
  rounds,
});
log(`(checksum ${sink > 0})`);

buildServers();
const scratch = mountScratch(rounds * uploads * fileBytes * 4 + 256 * 1024 ** 2);
const healthy = await receiver(true);
const dead = await receiver(false);
const hook = await receiver(true);
const targets: Target[] = [];
try {
  for (const [name, env, extra] of [
    ['livedrop', {}, { baseline: true }],
    ['webhooks-healthy', { WEBHOOK_URLS: healthy.url, WEBHOOK_SECRET: 'bench' }, {}],
    ['webhooks-dead', { WEBHOOK_URLS: dead.url, WEBHOOK_SECRET: 'bench', WEBHOOK_TIMEOUT_MS: '300000' }, {}],
    ['pre-upload-hook', { HOOK_PRE_UPLOAD_URL: hook.url }, {}],
  ] as const) {
    const dir = scratch.subdir(name);
    const spec = livedrop(dir);
    const server = await startServer({ ...spec, target: name, env: { ...spec.env, ...env } });
    targets.push({ name, server, dir, ...extra, perS: [], cpuMsPerUpload: [] });
  }
  log(
    `${BENCH}: ${uploads} × ${fileBytes / 1024} KiB, ${concurrency} at a time, ${rounds} round(s), into ${scratch.kind}`,
  );
  for (let round = 0; round < rounds; round++) {
    for (const target of rotated(targets, round)) {
      const cpuBefore = target.server.cpuSeconds();
      const started = performance.now();
      const outcomes = await inPool(uploads, concurrency, () =>
        postMultipart(target.server.port, '/api/uploads', fileBytes),
      );
      const seconds = (performance.now() - started) / 1000;
      const bad = outcomes.find((o) => o.status !== 201);
      if (bad) target.failed = `HTTP ${bad.status}: ${bad.body.slice(0, 200)}`;
      target.perS.push(uploads / seconds);
      target.cpuMsPerUpload.push(((target.server.cpuSeconds() - cpuBefore) * 1000) / uploads);
      log(`round ${round + 1} ${target.name}: ${(uploads / seconds).toFixed(0)} uploads/s`);
      removeStoredFiles(target.dir);
    }
  }
  for (const target of targets) {
    emit({
      bench: BENCH,
      target: target.name,
      ...(target.baseline && { baseline: true }),
      ...(target.failed ? { skipped: target.failed } : {}),
      uploadsPerS: round3(median(target.perS)),
      cpuMsPerUpload: round3(median(target.cpuMsPerUpload)),
      rounds,
    });
  }
  log(
    `webhooks delivered to the healthy receiver: ${healthy.received()}; requests the dead one holds: ${dead.received()}; hook calls: ${hook.received()}`,
  );
} finally {
  for (const target of targets) await target.server.stop();
  for (const { server } of [healthy, dead, hook]) {
    server.closeAllConnections();
    server.close();
  }
  scratch.release();
}
