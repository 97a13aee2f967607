// What the two progress-latency benches share (bench/progress-latency.ts: one node;
// bench/cluster-latency.ts: three nodes on Redis): the paced multipart uploader, the child processes
// that watch (latency-roles.ts), and the arithmetic that turns their sightings into latencies. One
// clock for all: performance.timeOrigin + performance.now() is wall-clock time on one machine.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './build.js';

export const now = () => performance.timeOrigin + performance.now();
export const CHUNK = 64 * 1024;
/** Latency is sampled at every MARK_EVERY-th byte of each upload. */
export const MARK_EVERY = 512 * 1024;

/** A sampled watcher's sighting of a progress (or completed) event. */
export type Sighting = [watcher: number, id: string, ref: string, size: number, at: number];

export interface WatcherReport {
  sightings: Sighting[];
  messages: number;
  completed: number;
  closed: number;
}

/** One growth of a temp file: its new size, the stat before (smaller size) and the stat that saw it. */
export type Growth = [size: number, before: number, seen: number];

export interface ProbeReport {
  /** By upload id (the temp file's name). */
  growth: Record<string, Growth[]>;
  /** Time between polls of the directory, p99 and max. */
  gapP99Ms: number;
  gapMaxMs: number;
}

/** When the uploader wrote byte `bytes` of upload `ref` into its socket. */
export interface Mark {
  ref: string;
  bytes: number;
  at: number;
}

/**
 * One multipart POST streaming `size` bytes; records when each MARK_EVERY-th byte was written.
 * With `mibPerS`, writes are paced to that rate (a client on a real network), otherwise as fast as
 * the socket takes them.
 */
export function pacedUpload(
  port: number,
  ref: string,
  size: number,
  data: Buffer,
  { marks = [], mibPerS }: { marks?: Mark[]; mibPerS?: number } = {},
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
export function diskLatencies(probe: ProbeReport, sightings: Sighting[]): number[] {
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
export function clientLatencies(marks: Mark[], sightings: Sighting[]): number[] {
  const result: number[] = [];
  for (const byRef of sightingsBy(sightings, 'ref').values()) {
    for (const mark of marks) result.push(coveredAfter(byRef.get(mark.ref), mark.bytes, mark.at));
  }
  return result;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function waitForHealth(port: number): Promise<void> {
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

export function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (answer) => resolve(answer as T));
    child.send(message);
  });
}

/** Starts a role of latency-roles.ts in a child process; resolves once it is ready. */
export function forkRole(role: 'watchers' | 'prober', env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(join(repoRoot, 'bench/lib/latency-roles.ts'), ['--role', role], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve) => child.once('message', () => resolve(child)));
}
