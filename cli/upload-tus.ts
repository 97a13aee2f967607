// One file through tus (POST /api/tus, then PATCHes; docs/resumable-uploads.md) with tus-js-client.
// Its URL is kept in a state file under the file's fingerprint (path, size, mtime, endpoint), so the
// same command run again after Ctrl-C, a kill or a dropped network asks the server for its offset
// (HEAD) and sends only the rest. Network failures are retried in-process first.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as tus from 'tus-js-client';
import type { Upload } from '../server/uploads/upload.js';
import { errorAnswer, type LivedropClient } from './client.js';
import { CliError, ExitCode } from './exit-codes.js';
import { stateFile } from './state-dir.js';
import type { FileToUpload, UploadProgress } from './upload-file.js';

/** Quickly at first, then every 10 s: about a minute before giving up (exit 4; run again to resume). */
const RETRY_DELAYS = [0, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000];

export interface TusSettings {
  /** The server's TUS_CHUNK_SIZE: the largest PATCH body. */
  chunkSize: number;
}

export async function uploadTus(
  client: LivedropClient,
  file: FileToUpload,
  progress: UploadProgress,
  signal: AbortSignal,
  settings: TusSettings,
): Promise<Upload> {
  // tus may send the bytes in any order of runs; the local sha256 is read separately, alongside.
  const localHash = hashFile(file.path);
  localHash.catch(() => {});
  const storage = new tus.FileUrlStorage(await stateFile('tus-uploads.json'));
  let id: string | undefined;

  const finished = new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(file.path), {
      endpoint: client.url('/api/tus'),
      chunkSize: settings.chunkSize,
      uploadSize: file.size,
      retryDelays: RETRY_DELAYS,
      headers: client.headers({ 'X-Upload-Ref': progress.ref }),
      metadata: { filename: file.name, filetype: file.type },
      urlStorage: storage,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onUploadUrlAvailable() {
        id = new URL(upload.url!).pathname.split('/').pop()!;
        progress.identified(id);
      },
      onAfterResponse(request, response) {
        if (request.getMethod() === 'HEAD' && response.getStatus() < 300) {
          const offset = Number(response.getHeader('Upload-Offset'));
          progress.note(`resuming ${file.name} at ${offset} of ${file.size} bytes`);
          progress.resumedAt(offset);
        }
      },
      onProgress: (sent) => progress.sent(sent),
      onSuccess: () => resolve(),
      onError(error) {
        const response = (error as tus.DetailedError).originalResponse;
        if (!response) {
          reject(
            new CliError(
              `${file.name}: connection lost (${error.message}); run again to resume`,
              ExitCode.UNREACHABLE,
            ),
          );
          return;
        }
        let body: { code?: string; message?: string } = {};
        try {
          body = JSON.parse(response.getBody());
        } catch {}
        reject(errorAnswer(response.getStatus(), body.code, body.message));
      },
    });
    signal.addEventListener(
      'abort',
      () => {
        // abort(false): the upload stays on the server and its URL in the state file, to resume.
        void upload
          .abort(false)
          .finally(() =>
            reject(
              new CliError(
                `${file.name}: interrupted; run the same command again to resume`,
                ExitCode.INTERRUPTED,
              ),
            ),
          );
      },
      { once: true },
    );
    upload
      .findPreviousUploads()
      .then((previous) => {
        if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
        if (!signal.aborted) upload.start();
      })
      .catch(reject);
  });
  await finished;

  const stored = await client.json<Upload>(`/api/uploads/${id}`);
  const local = await localHash;
  if (stored.sha256 && stored.sha256 !== local) {
    throw new CliError(
      `${file.name}: the server stored sha256 ${stored.sha256}, the file has ${local}`,
      ExitCode.CORRUPT,
    );
  }
  return stored;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
