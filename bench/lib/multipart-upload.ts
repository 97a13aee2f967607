// The upload load client: streams multipart/form-data bodies of any size without holding a file in
// memory. One 1 MiB random buffer is written over and over (honouring backpressure), between a
// multipart header and trailer computed once, so the client costs little CPU and no disk.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request } from 'node:http';
import { HOST } from './server-process.js';

const CHUNK = randomBytes(1024 ** 2);

export interface UploadOutcome {
  status: number;
  body: string;
}

/**
 * POSTs one file part of `bytes` random bytes, preceded by the `size` field (DESIGN.md §4) so that
 * livedrop knows the total, as its web UI does. Servers that do not parse multipart just store it all.
 */
export async function postMultipart(port: number, path: string, bytes: number): Promise<UploadOutcome> {
  const boundary = `----livedrop-bench-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="size"\r\n\r\n${bytes}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = request({
    host: HOST,
    port,
    path,
    method: 'POST',
    agent: false,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': head.length + bytes + tail.length,
    },
  });
  // Resolves with the answer, or with status 0 when the connection failed first (e.g. EPIPE after a
  // server answered an early error and closed): a failed upload is a result to report, not a crash.
  let answered = false;
  const response = new Promise<UploadOutcome>((resolve) => {
    const settle = (outcome: UploadOutcome) => {
      answered = true;
      resolve(outcome);
    };
    req.on('error', (error) => settle({ status: 0, body: error.message }));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        body += text;
      });
      res.on('end', () => settle({ status: res.statusCode ?? 0, body }));
      res.on('error', (error) => settle({ status: 0, body: error.message }));
    });
  });
  req.write(head);
  for (let left = bytes; left > 0 && !answered && !req.destroyed; left -= CHUNK.length) {
    if (!req.write(left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left))) {
      // An error surfaces through `response`; the drain wait must not reject unhandled as well.
      await Promise.race([once(req, 'drain').catch(() => undefined), response]);
    }
  }
  if (!answered && !req.destroyed) req.end(tail);
  return response;
}

/** Runs `count` tasks with at most `concurrency` in flight; resolves with every outcome in order. */
export async function inPool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const outcomes: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      outcomes[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return outcomes;
}
