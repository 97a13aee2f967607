// Streams one large upload (default 2 GiB) to a real livedrop server process and reports the server's
// peak resident memory (VmHWM from /proc/<pid>/status): it must stay flat, whatever the file size.
//   npx tsx bench/upload-memory.ts [GiB] [--quick]   (--quick: 0.25 GiB, as `npm run bench -- --quick` passes)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServers, compiled } from './lib/build.js';

const GiB = 1024 ** 3;
const sizeArg = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
const fileBytes = Math.round(Number(sizeArg ?? (process.argv.includes('--quick') ? 0.25 : 2)) * GiB);
const LIMIT_MB = 200;

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** kB figures from /proc/<pid>/status, e.g. VmHWM (peak RSS) and VmRSS. */
async function memoryOf(pid: number): Promise<{ peakMB: number; rssMB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { peakMB: kB('VmHWM') / 1024, rssMB: kB('VmRSS') / 1024 };
}

async function startServer(port: number, dir: string): Promise<ChildProcess> {
  // The compiled server, as every benchmark measures it (no tsx loader in its memory).
  buildServers();
  const child = spawn(process.execPath, [compiled('server/main.ts')], {
    env: { ...process.env, PORT: String(port), UPLOAD_DIR: dir, LOG_LEVEL: 'warn', MAX_FILE_SIZE: '10GiB' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not start');
}

/** One multipart request whose file part is `fileBytes` long, generated on the fly (no big buffer). */
function upload(port: number): Promise<{ status: number; body: string }> {
  const boundary = '----livedropbench';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="size"\r\n\r\n${fileBytes}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const block = randomBytes(1024 * 1024);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/uploads',
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + fileBytes + tail.length,
        },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      },
    );
    request.on('error', reject);
    request.write(head);
    let sent = 0;
    const pump = () => {
      while (sent < fileBytes) {
        const chunk = block.subarray(0, Math.min(block.length, fileBytes - sent));
        sent += chunk.length;
        if (!request.write(chunk)) return void request.once('drain', pump);
      }
      request.end(tail);
    };
    pump();
  });
}

const dir = await mkdtemp(join(tmpdir(), 'livedrop-bench-memory-'));
const port = await freePort();
const server = await startServer(port, dir);
try {
  const idle = await memoryOf(server.pid!);
  let sampledMax = 0;
  const sampler = setInterval(async () => {
    sampledMax = Math.max(sampledMax, (await memoryOf(server.pid!).catch(() => ({ rssMB: 0 }))).rssMB);
  }, 100);
  const started = performance.now();
  const result = await upload(port);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const { peakMB } = await memoryOf(server.pid!);
  if (result.status !== 201) throw new Error(`upload failed: ${result.status} ${result.body}`);
  // One result line in the format of every benchmark (bench/lib/report.ts).
  const line = {
    bench: 'upload-memory',
    target: 'livedrop',
    fileMiB: fileBytes / 1024 ** 2,
    peakRssMiB: Number(peakMB.toFixed(1)),
    idleRssMiB: Number(idle.rssMB.toFixed(1)),
    sampledMaxRssMiB: Number(sampledMax.toFixed(1)),
    limitMiB: LIMIT_MB,
    mbPerS: Number((fileBytes / 1e6 / seconds).toFixed(1)),
    pass: peakMB < LIMIT_MB,
  };
  console.log(JSON.stringify(line));
  console.error(
    `  ${(fileBytes / GiB).toFixed(2)} GiB upload: server peak RSS ${line.peakRssMiB} MiB ` +
      `(idle ${line.idleRssMiB} MiB, limit ${LIMIT_MB} MiB) → ${line.pass ? 'PASS' : 'FAIL'}; ${line.mbPerS} MB/s`,
  );
  if (!line.pass) process.exitCode = 1;
} finally {
  server.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}
