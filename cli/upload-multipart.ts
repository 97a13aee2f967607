// One file as one POST /api/uploads (multipart/form-data, RFC 7578), streamed from disk: the `size`
// field first, so watchers see a percentage, then the file part. Not resumable: an interrupted
// request leaves nothing on the server (all-or-nothing), and the next run sends it again.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Upload } from '../server/uploads/upload.js';
import { type LivedropClient, unreachable } from './client.js';
import { CliError, ExitCode } from './exit-codes.js';
import type { FileToUpload, UploadProgress } from './upload-file.js';

/** RFC 7578 §4.2 leaves escaping to HTML's form encoding: `"`, CR and LF are percent-encoded. */
const quoted = (name: string) => name.replace(/["\r\n]/g, (c) => encodeURIComponent(c));

export async function uploadMultipart(
  client: LivedropClient,
  file: FileToUpload,
  progress: UploadProgress,
  signal: AbortSignal,
): Promise<Upload> {
  const boundary = `----livedrop-cli-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="size"\r\n\r\n${file.size}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(file.name)}"\r\n` +
      `Content-Type: ${file.type}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);

  async function* body() {
    yield head;
    let sent = 0;
    for await (const chunk of createReadStream(file.path, { highWaterMark: 256 * 1024 })) {
      sent += (chunk as Buffer).length;
      progress.hash.update(chunk as Buffer);
      yield chunk as Buffer;
      progress.sent(sent);
    }
    yield tail;
  }

  let response: Response;
  try {
    response = await client.request('/api/uploads', {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + file.size + tail.length),
        'x-upload-ref': progress.ref,
      },
      body: body() as unknown as ReadableStream,
      duplex: 'half',
      signal,
    } as RequestInit & { headers: Record<string, string> });
  } catch (error) {
    throw unreachable(client.server, error);
  }
  const stored = ((await response.json()) as { uploads: Upload[] }).uploads[0]!;
  const local = progress.hash.digest('hex');
  if (stored.sha256 && stored.sha256 !== local) {
    throw new CliError(
      `${file.name}: the server stored sha256 ${stored.sha256}, the file has ${local}`,
      ExitCode.CORRUPT,
    );
  }
  return stored;
}
