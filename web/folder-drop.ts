// Folders, dropped or picked (<input webkitdirectory>): every file inside, with its path relative to
// the dropped folder ("photos/2024/a.jpg"), which travels as the `path` field before the file part and
// is shown on every dashboard. Directory entries are read in the browser's batches (readEntries gives
// at most ~100 at a time) and the files are handed on in chunks, one chunk per frame, so a folder of
// thousands of small files never blocks the page.

/** Paths of files that came from a dropped folder (a picked folder sets File.webkitRelativePath itself). */
const droppedPaths = new WeakMap<File, string>();

/** The file's path inside its folder, or undefined for a file dropped or picked on its own. */
export function relativePath(file: File): string | undefined {
  return droppedPaths.get(file) ?? (file.webkitRelativePath || undefined);
}

/** Files added to the queue per frame. */
export const CHUNK = 50;

/** True when the drop holds at least one folder. Must run during the drop event (entries expire after it). */
export function dropEntries(transfer: DataTransfer): FileSystemEntry[] | null {
  const entries = [...transfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  if (!entries.some((entry) => entry?.isDirectory)) return null;
  return entries.filter((entry): entry is FileSystemEntry => entry !== null);
}

/** Walks the dropped entries depth-first, handing files on in chunks as they are found. */
export async function readEntries(
  entries: readonly FileSystemEntry[],
  take: (files: File[]) => void,
): Promise<number> {
  let chunk: File[] = [];
  let count = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    take(chunk);
    chunk = [];
    await nextFrame();
  };
  // A directory's files are asked for all at once (each File is a round trip to the browser process;
  // one at a time, a folder of a thousand files took a minute on a busy machine), then its folders in turn.
  const visit = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) return add(await fileOf(entry as FileSystemFileEntry), entry);
    if (!entry.isDirectory) return;
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
        reader.readEntries(resolve, reject),
      ).catch(() => []);
      if (batch.length === 0) break;
      const fileEntries = batch.filter((child) => child.isFile) as FileSystemFileEntry[];
      const files = await Promise.all(fileEntries.map(fileOf));
      for (const [i, entry] of fileEntries.entries()) await add(files[i] ?? null, entry);
      for (const child of batch) if (child.isDirectory) await visit(child);
    }
  };
  const add = async (file: File | null, entry: FileSystemEntry) => {
    if (!file) return;
    droppedPaths.set(file, entry.fullPath.replace(/^\/+/, ''));
    chunk.push(file);
    count++;
    if (chunk.length >= CHUNK) await flush();
  };
  for (const entry of entries) await visit(entry);
  await flush();
  return count;
}

/** The entry's File, or null when it went away since the drop. */
function fileOf(entry: FileSystemFileEntry): Promise<File | null> {
  return new Promise<File>((resolve, reject) => entry.file(resolve, reject)).catch(() => null);
}

/** Hands a long list of files on in chunks, one per frame (a picked folder arrives all at once). */
export async function inChunks(files: readonly File[], take: (files: File[]) => void): Promise<void> {
  for (let i = 0; i < files.length; i += CHUNK) {
    take(files.slice(i, i + CHUNK));
    if (i + CHUNK < files.length) await nextFrame();
  }
}

/** Next frame, or a short timeout in a background tab (which gets no frames). */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 50);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
