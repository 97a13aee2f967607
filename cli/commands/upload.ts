// livedrop upload FILE...: each file in turn, through tus (resumable) when it is over the server's
// RESUMABLE_THRESHOLD and the server speaks tus, else as one multipart request. On a terminal each
// file gets a bar with what was sent and what the server has stored (from the live feed), speed and
// ETA. The sha256 the server computed is checked against the local one.
import { createHash, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import mime from 'mime';
import type { Upload } from '../../server/uploads/upload.js';
import type { LivedropClient } from '../client.js';
import { CliError, ExitCode, usageError } from '../exit-codes.js';
import { openFeed } from '../feed.js';
import { formatBytes } from '../format.js';
import type { Output } from '../output.js';
import { TransferBars } from '../progress.js';
import type { FileToUpload, UploadProgress } from '../upload-file.js';
import { uploadMultipart } from '../upload-multipart.js';
import { type TusSettings, uploadTus } from '../upload-tus.js';

/** A server that does not say its TUS_CHUNK_SIZE gets PATCHes of this size. */
const DEFAULT_CHUNK = 8 * 1024 * 1024;

export interface UploadOptions {
  via: 'auto' | 'tus' | 'multipart';
  signal: AbortSignal;
  bars: boolean;
}

export async function upload(client: LivedropClient, out: Output, paths: string[], options: UploadOptions) {
  const files = await Promise.all(paths.map(checkFile));
  const route = await serverRoute(client, options.via);
  const bars = new TransferBars(options.bars, 'sent');
  const stored = options.bars ? storedBytesFromFeed(client) : undefined;
  // Give the feed a moment to connect, so the first file's stored bytes are seen from the start.
  await Promise.race([stored?.opened, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  let failure: CliError | undefined;
  try {
    for (const file of files) {
      try {
        const result = await uploadOne(client, file, route, bars, stored, options.signal);
        // On one terminal, results go above the bars (both would share the screen otherwise).
        const say = out.tty && options.bars ? (line: string) => bars.log(line) : out.result;
        say(
          out.json
            ? JSON.stringify(result)
            : out.tty
              ? `uploaded ${file.name} → ${result.id} (${formatBytes(result.size)})`
              : [result.id, result.size, result.sha256 ?? '', result.name].join('\t'),
        );
      } catch (error) {
        if (!(error instanceof CliError) || error.exitCode !== ExitCode.REFUSED) throw error;
        // The server refused this file (type, size…): say so and go on with the others.
        bars.log(`livedrop: ${file.name}: ${error.message}`);
        failure ??= error;
      }
    }
  } finally {
    bars.stop();
    stored?.close();
  }
  if (failure) throw new CliError('', failure.exitCode);
}

async function checkFile(path: string): Promise<FileToUpload> {
  const info = await stat(path).catch((error: Error) => {
    throw usageError(`cannot read ${path}: ${error.message}`);
  });
  if (!info.isFile()) throw usageError(`not a file: ${path}`);
  return {
    path,
    name: basename(path),
    size: info.size,
    type: mime.getType(path) ?? 'application/octet-stream',
  };
}

/** How this server takes files: tus above its RESUMABLE_THRESHOLD, when it speaks tus at all. */
interface Route {
  tus: TusSettings | undefined;
  threshold: number;
}

async function serverRoute(client: LivedropClient, via: UploadOptions['via']): Promise<Route> {
  if (via === 'multipart') return { tus: undefined, threshold: Number.POSITIVE_INFINITY };
  const config = await client.json<{ resumableThreshold?: number; tusChunkSize?: number }>('/api/config');
  if (typeof config.resumableThreshold !== 'number') {
    if (via === 'tus')
      throw new CliError('this server has no tus endpoint (/api/tus): try --via multipart', ExitCode.REFUSED);
    return { tus: undefined, threshold: Number.POSITIVE_INFINITY };
  }
  return {
    tus: { chunkSize: config.tusChunkSize ?? DEFAULT_CHUNK },
    threshold: via === 'tus' ? 0 : config.resumableThreshold,
  };
}

async function uploadOne(
  client: LivedropClient,
  file: FileToUpload,
  route: Route,
  bars: TransferBars,
  stored: StoredBytes | undefined,
  signal: AbortSignal,
): Promise<Upload> {
  const bar = bars.add(file.name, file.size);
  let sent = 0;
  const ref = `cli-${randomBytes(9).toString('base64url')}`;
  const watched = { ref, id: undefined as string | undefined };
  const storedNow = () => stored?.of(watched) ?? 0;
  stored?.onChange(() => bar.update(sent, storedNow()));
  const progress: UploadProgress = {
    ref,
    hash: createHash('sha256'),
    sent(bytes) {
      sent = bytes;
      bar.update(sent, storedNow());
    },
    resumedAt(offset) {
      sent = offset;
      bar.resumedAt(offset);
    },
    identified(id) {
      watched.id = id;
    },
    note: (line) => bars.log(line),
  };
  const result =
    route.tus && file.size >= route.threshold
      ? await uploadTus(client, file, progress, signal, route.tus)
      : await uploadMultipart(client, file, progress, signal);
  bar.update(file.size, result.size);
  return result;
}

interface StoredBytes {
  opened: Promise<void>;
  of(file: { ref: string; id: string | undefined }): number | undefined;
  onChange(listener: () => void): void;
  close(): void;
}

/** "Stored" as the server reports it: the size in the live feed's events, by upload id and by ref. */
function storedBytesFromFeed(client: LivedropClient): StoredBytes {
  const byId = new Map<string, number>();
  const byRef = new Map<string, number>();
  let listener: (() => void) | undefined;
  const feed = openFeed(client, {
    onMessage(message) {
      const uploads =
        message.type === 'snapshot' ? message.uploads : 'upload' in message ? [message.upload] : [];
      for (const upload of uploads) {
        if (!('size' in upload)) continue;
        byId.set(upload.id, upload.size);
        if (upload.ref) byRef.set(upload.ref, upload.size);
      }
      listener?.();
    },
  });
  // Without a feed the bars still show what was sent; the upload itself reports any real problem.
  const opened = feed.opened.catch(() => {});
  return {
    opened,
    of: ({ ref, id }) => (id !== undefined ? byId.get(id) : undefined) ?? byRef.get(ref),
    onChange(next) {
      listener = next;
    },
    close: () => feed.close(),
  };
}
