// The tus load client: creates an upload (POST) and sends it in PATCHes of `patchBytes`, each body
// written from one 1 MiB random buffer (honouring backpressure), so the client costs little CPU and
// holds no file in memory. Speaks only tus 1.0 core + creation: any tus server can be measured.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request } from 'node:http';
import type { UploadOutcome } from './multipart-upload.js';
import { HOST } from './server-process.js';

const CHUNK = randomBytes(1024 ** 2);
const TUS = { 'tus-resumable': '1.0.0' };

function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string | number>,
  bodyBytes: number,
): Promise<UploadOutcome & { location?: string }> {
  const req = request({ host: HOST, port, path, method, headers: { ...TUS, ...headers } });
  let answered = false;
  const response = new Promise<UploadOutcome & { location?: string }>((resolve) => {
    const settle = (outcome: UploadOutcome & { location?: string }) => {
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
      res.on('end', () =>
        settle({
          status: res.statusCode ?? 0,
          body,
          ...(res.headers.location && { location: res.headers.location }),
        }),
      );
    });
  });
  return (async () => {
    for (let left = bodyBytes; left > 0 && !answered && !req.destroyed; left -= CHUNK.length) {
      if (!req.write(left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left))) {
        await Promise.race([once(req, 'drain').catch(() => undefined), response]);
      }
    }
    if (!answered && !req.destroyed) req.end();
    return response;
  })();
}

/** One whole upload of `bytes` to the tus endpoint at `path` (e.g. /api/tus), `patchBytes` per PATCH. */
export async function tusUpload(
  port: number,
  path: string,
  bytes: number,
  patchBytes: number,
): Promise<UploadOutcome> {
  const created = await send(
    port,
    'POST',
    path,
    {
      'upload-length': bytes,
      'upload-metadata': `filename ${Buffer.from('bench.bin').toString('base64')}`,
      'content-length': 0,
    },
    0,
  );
  if (created.status !== 201 || !created.location) return created;
  const uploadPath = new URL(created.location, `http://${HOST}:${port}`).pathname;
  for (let offset = 0; offset < bytes; offset += patchBytes) {
    const length = Math.min(patchBytes, bytes - offset);
    const patched = await send(
      port,
      'PATCH',
      uploadPath,
      {
        'content-type': 'application/offset+octet-stream',
        'upload-offset': offset,
        'content-length': length,
      },
      length,
    );
    if (patched.status !== 204) return patched;
  }
  return { status: 204, body: '' };
}
