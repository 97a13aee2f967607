// Server CPU time per GiB uploaded, livedrop against two baselines measured in the same run:
//   raw    — http.createServer + request.pipe(fs.createWriteStream): the floor
//   naive  — Fastify + @fastify/multipart + pipeline(part.file, createWriteStream)
// Targets: livedrop with CHECKSUM=none ≤ 1.2 × raw and below naive.
//   npx tsx bench/upload-cpu.ts [GiB per upload] [runs]
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GiB = 1024 ** 3;
const fileBytes = Math.round(Number(process.argv[2] ?? 1) * GiB);
const runs = Number(process.argv[3] ?? 5);

const servers: { name: string; entry: string; env: Record<string, string> }[] = [
  { name: 'raw', entry: 'bench/baselines/raw-pipe-server.ts', env: {} },
  { name: 'naive', entry: 'bench/baselines/naive-multipart-server.ts', env: {} },
  { name: 'livedrop (CHECKSUM=none)', entry: 'server/main.ts', env: { CHECKSUM: 'none' } },
  { name: 'livedrop (CHECKSUM=sha256)', entry: 'server/main.ts', env: { CHECKSUM: 'sha256' } },
];

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** utime + stime of a process in seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks of 1/100 s). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function start(
  entry: string,
  env: Record<string, string>,
  port: number,
  dir: string,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      UPLOAD_DIR: dir,
      LOG_LEVEL: 'warn',
      MAX_FILE_SIZE: '10GiB',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/api/health`);
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${entry} did not start`);
}

const block = randomBytes(1024 * 1024);
const boundary = '----livedropbench';
const head = Buffer.from(
  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n',
);
const tail = Buffer.from(`\r\n--${boundary}--\r\n`);

/** One multipart upload of `fileBytes`, generated on the fly with backpressure. */
function upload(port: number): Promise<number> {
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
        response.resume();
        response.on('end', () => resolve(response.statusCode!));
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = new Map<string, number>();

// All servers run side by side and take turns, so drift in the machine's load hits each alike.
const running = await Promise.all(
  servers.map(async (server) => {
    const dir = await mkdtemp(join(tmpdir(), 'livedrop-bench-cpu-'));
    const port = await freePort();
    return {
      ...server,
      dir,
      port,
      child: await start(server.entry, server.env, port, dir),
      perGiB: [] as number[],
    };
  }),
);
try {
  for (let i = 0; i < runs; i++) {
    for (const server of running) {
      const before = await cpuSeconds(server.child.pid!);
      const status = await upload(server.port);
      if (status >= 300) throw new Error(`${server.name}: upload answered ${status}`);
      server.perGiB.push(((await cpuSeconds(server.child.pid!)) - before) / (fileBytes / GiB));
      // Keep the disk from filling up between runs (livedrop keeps its .tmp/ directory).
      for (const name of await readdir(server.dir))
        if (name !== '.tmp') await rm(join(server.dir, name), { force: true });
    }
  }
} finally {
  for (const server of running) {
    server.child.kill('SIGTERM');
    await rm(server.dir, { recursive: true, force: true });
  }
}
for (const { name, perGiB } of running) {
  results.set(name, median(perGiB));
  const seconds = perGiB.map((s) => Number(s.toFixed(2)));
  console.log(
    JSON.stringify({
      bench: 'upload-cpu',
      server: name,
      fileBytes,
      runs,
      cpuSecondsPerGiB: seconds,
      median: Number(median(perGiB).toFixed(2)),
    }),
  );
}

const raw = results.get('raw')!;
const naive = results.get('naive')!;
console.log('\nserver                      CPU s/GiB (median)  × raw');
for (const [name, seconds] of results) {
  console.log(`${name.padEnd(28)}${seconds.toFixed(2).padStart(8)}          ${(seconds / raw).toFixed(2)}`);
}
const lean = results.get('livedrop (CHECKSUM=none)')!;
const pass = lean <= 1.2 * raw && lean < naive;
console.log(`\nlivedrop (none) ≤ 1.2 × raw and < naive: ${pass ? 'PASS' : 'FAIL'}`);
if (!pass) process.exitCode = 1;
