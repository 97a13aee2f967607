// livedrop get ID [-o FILE]: downloads into FILE.part, resuming a partial one with a Range request
// (If-Range on the ETag, so a changed file starts over: RFC 9110 §13.1.5), checks the sha256 and
// renames it into place. `-o -` streams to stdout (nothing to resume).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Upload } from '../../server/uploads/upload.js';
import { type LivedropClient, unreachable } from '../client.js';
import { CliError, ExitCode, usageError } from '../exit-codes.js';
import type { Output } from '../output.js';
import { TransferBars } from '../progress.js';

export interface GetOptions {
  output: string | undefined;
  signal: AbortSignal;
  bars: boolean;
}

export async function get(
  client: LivedropClient,
  out: Output,
  id: string,
  options: GetOptions,
): Promise<void> {
  const upload = await client.json<Upload>(`/api/uploads/${encodeURIComponent(id)}`, {
    signal: options.signal,
  });
  const contentPath = `/api/uploads/${encodeURIComponent(id)}/content`;
  if (options.output === '-') {
    const response = await client.request(contentPath, { signal: options.signal });
    await pipeline(Readable.fromWeb(response.body as never), process.stdout).catch((error) => {
      throw unreachable(client.server, error);
    });
    return;
  }

  const target = options.output ?? (basename(upload.name) || upload.id);
  const partPath = `${target}.part`;
  let have = await sizeOf(partPath);
  if (have > upload.size) have = 0;

  const hash = createHash('sha256');
  const headers: Record<string, string> = {};
  if (have > 0) {
    headers.range = `bytes=${have}-`;
    if (upload.sha256) headers['if-range'] = `"${upload.sha256}"`;
  }
  // A .part that already holds every byte only needs its check (an empty file is fetched: 0 bytes).
  const response =
    have > 0 && have === upload.size
      ? undefined
      : await client.request(contentPath, { headers, signal: options.signal });
  if (response?.status === 206) {
    const start = Number(/^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1]);
    if (start !== have) throw new CliError(`server resumed at byte ${start}, not ${have}`, ExitCode.REFUSED);
  } else if (response) {
    // 200: the whole file (no partial, or the server ignored the range because the file changed).
    have = 0;
  }
  // The bytes already there count towards the sha256 too (updated by hand: piping would end the hash).
  if (have > 0)
    for await (const chunk of createReadStream(partPath, { end: have - 1 })) hash.update(chunk as Buffer);
  const resumedFrom = have;

  const bars = new TransferBars(options.bars, 'got');
  const bar = bars.add(target, upload.size, have);
  let received = have;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      hash.update(chunk);
      bar.update(received);
      done(null, chunk);
    },
  });
  try {
    if (response?.body) {
      if (resumedFrom > 0) bars.log(`resuming ${target} at ${resumedFrom} bytes`);
      await pipeline(
        Readable.fromWeb(response.body as never),
        count,
        createWriteStream(partPath, { flags: have > 0 ? 'a' : 'w' }),
      );
    }
  } catch (error) {
    bars.stop();
    const failure = unreachable(client.server, error);
    if (
      (error as NodeJS.ErrnoException).syscall === 'open' ||
      (error as NodeJS.ErrnoException).syscall === 'write'
    ) {
      throw usageError(`cannot write ${partPath}: ${(error as Error).message}`);
    }
    out.note(`livedrop: ${partPath} keeps ${received} bytes; run the same command again to resume`);
    throw failure;
  }
  bars.stop();

  const sha256 = hash.digest('hex');
  if (upload.sha256 && sha256 !== upload.sha256) {
    await unlink(partPath);
    throw new CliError(
      `${target}: sha256 ${sha256} differs from the server's ${upload.sha256}`,
      ExitCode.CORRUPT,
    );
  }
  await rename(partPath, target);
  out.result(
    out.json
      ? JSON.stringify({ id: upload.id, file: target, size: upload.size, sha256, resumedFrom })
      : `saved ${target} (${upload.size} bytes${resumedFrom ? `, resumed at ${resumedFrom}` : ''})`,
  );
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
