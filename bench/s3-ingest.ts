// Benchmark: multipart uploads into S3 (issue 11). A one-node Swift with s3api (the test server of
// test/fixtures/s3-server.ts) takes 4 concurrent uploads of 1 GiB each (quick: 4 × 128 MiB) from
// livedrop (STORAGE=s3, sha256 on), and the same bytes through a plain @aws-sdk/lib-storage
// `Upload` from a file, in the same run. Reports livedrop's peak RSS over its idle RSS, and each
// side's CPU seconds per GiB stored (only its own process; Swift's CPU is not counted).
// Usage: tsx bench/s3-ingest.ts [--quick] [--rounds N] [--files N] [--file-mib N]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { partSizeFor, S3_QUEUE_DEPTH } from '../server/storage/s3/s3-storage.js';
import {
  createTestBucket,
  S3_ACCESS_KEY,
  S3_SECRET_KEY,
  s3Env,
  startS3Server,
  testS3Client,
} from '../test/fixtures/s3-server.js';
import { buildServers, compiled, startNodeArgs } from './lib/build.js';
import { inPool, postMultipart } from './lib/multipart-upload.js';
import { cpuSeconds } from './lib/proc-stats.js';
import { benchOptions, emit, GiB, log, MiB, median, round3 } from './lib/report.js';
import { startServer } from './lib/server-process.js';

const BENCH = 's3-ingest';
const { quick, rounds: roundsFlag } = benchOptions();
const { values } = parseArgs({
  options: { files: { type: 'string' }, 'file-mib': { type: 'string' } },
  strict: false,
});
const files = Number(values.files ?? 4);
const fileBytes = Number(values['file-mib'] ?? (quick ? 128 : 1024)) * MiB;
const rounds = roundsFlag ?? 1;
const credentials = { AWS_ACCESS_KEY_ID: S3_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY };

buildServers();
const s3 = await startS3Server();
const client = testS3Client(s3.directEndpoint);
const scratch = await mkdtemp(join(tmpdir(), 'livedrop-s3-bench-'));
try {
  const bucket = await createTestBucket(s3.directEndpoint);
  const server = await startServer({
    target: 'livedrop-s3',
    script: compiled('server/main.ts'),
    nodeArgs: startNodeArgs(),
    env: {
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '0',
      UPLOAD_DIR: join(scratch, 'unused'),
      ...s3Env(s3.directEndpoint, bucket, 'livedrop/'),
      ...credentials,
    },
  });
  const file = join(scratch, 'baseline.bin');
  await writeRandomFile(file, fileBytes);
  const figures = {
    rssOverIdle: [] as number[],
    livedrop: [] as number[],
    baseline: [] as number[],
    mbPerS: [] as number[],
  };
  log(
    `${BENCH}: ${files} × ${fileBytes / MiB} MiB at once, ${rounds} round(s), part ${partSizeFor(5 * GiB) / MiB} MiB, queue ${S3_QUEUE_DEPTH}`,
  );
  for (let round = 0; round < rounds; round++) {
    await sleep(1000);
    const idle = server.memory().rssBytes;
    server.resetPeakRss();
    const cpuBefore = server.cpuSeconds();
    const started = performance.now();
    const outcomes = await inPool(files, files, () => postMultipart(server.port, '/api/uploads', fileBytes));
    const seconds = (performance.now() - started) / 1000;
    await sleep(200);
    const bad = outcomes.find((o) => o.status !== 201);
    if (bad) throw new Error(`POST /api/uploads answered ${bad.status}: ${bad.body.slice(0, 200)}`);
    const stored = files * fileBytes;
    const peak = server.memory().peakRssBytes;
    figures.rssOverIdle.push((peak - idle) / MiB);
    figures.livedrop.push((server.cpuSeconds() - cpuBefore) / (stored / GiB));
    figures.mbPerS.push(stored / 1e6 / seconds);
    await emptyBucket(bucket);

    const baselineStarted = performance.now();
    const child = spawn(
      process.execPath,
      [compiled('bench/baselines/s3-lib-storage-upload.ts'), s3.directEndpoint, bucket, file, String(files)],
      { env: { ...process.env, ...credentials }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    let baselineCpu = 0;
    const sampler = setInterval(() => {
      try {
        baselineCpu = cpuSeconds(child.pid!);
      } catch {}
    }, 50);
    const [code] = (await once(child, 'exit')) as [number];
    clearInterval(sampler);
    if (code !== 0) throw new Error(`the lib-storage baseline exited with ${code}`);
    figures.baseline.push(baselineCpu / (stored / GiB));
    await emptyBucket(bucket);
    log(
      `round ${round + 1}: livedrop ${figures.mbPerS.at(-1)!.toFixed(0)} MB/s, ${figures.livedrop.at(-1)!.toFixed(2)} CPU-s/GiB, peak RSS idle + ${figures.rssOverIdle.at(-1)!.toFixed(1)} MiB; lib-storage ${figures.baseline.at(-1)!.toFixed(2)} CPU-s/GiB in ${((performance.now() - baselineStarted) / 1000).toFixed(1)} s`,
    );
  }
  await server.stop();
  const ratio = median(figures.livedrop) / median(figures.baseline);
  emit({
    bench: BENCH,
    target: 'livedrop-s3',
    cpuSPerGiB: round3(median(figures.livedrop)),
    mbPerS: round3(median(figures.mbPerS)),
    peakRssOverIdleMiB: round3(median(figures.rssOverIdle)),
    cpuRatioVsLibStorage: round3(ratio),
    partMiB: partSizeFor(5 * GiB) / MiB,
    queueDepth: S3_QUEUE_DEPTH,
    files,
    fileMiB: fileBytes / MiB,
    rounds,
  });
  emit({
    bench: BENCH,
    target: 'lib-storage-upload',
    baseline: true,
    cpuSPerGiB: round3(median(figures.baseline)),
    rounds,
  });
} finally {
  client.destroy();
  await s3.stop();
  await rm(scratch, { recursive: true, force: true });
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const chunk = randomBytes(MiB);
  for (let left = bytes; left > 0; left -= MiB) {
    if (!out.write(left >= MiB ? chunk : chunk.subarray(0, left))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function emptyBucket(bucket: string): Promise<void> {
  for (;;) {
    const { Contents = [] } = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    if (Contents.length === 0) return;
    for (const object of Contents)
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
  }
}
