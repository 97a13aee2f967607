// Thousands of completed uploads in an UPLOAD_DIR before the server starts: the files the storage
// layer would have left (UPLOAD_DIR/<id> with the bytes, UPLOAD_DIR/<id>.json with the Upload), written
// directly, so a test gets 5,000 uploads in a second instead of 5,000 HTTP requests. The server's own
// start-up reads them back, checking each sidecar against its data file as it always does.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Upload } from '../../../server/uploads/upload.js';

/** Upload i's name and type: a repeating mix, so filters and searches have known answers. */
export function seededFile(i: number): { name: string; type: string } {
  const n = String(i).padStart(4, '0');
  switch (i % 5) {
    case 0:
      return { name: `Holiday Photo ${n}.jpg`, type: 'image/jpeg' };
    case 1:
      return { name: `report-${n}.pdf`, type: 'application/pdf' };
    case 2:
      return { name: `notes-${n}.txt`, type: 'text/plain' };
    case 3:
      return { name: `Straße-${n}.png`, type: 'image/png' };
    default:
      return { name: `archive-${n}.zip`, type: 'application/zip' };
  }
}

/**
 * Writes `count` completed uploads; upload 0 is the oldest, and each is one second newer than the
 * one before, the newest finishing a minute ago. Returns them newest first (the listing's order).
 */
export async function seedUploads(dir: string, count: number): Promise<Upload[]> {
  await mkdir(dir, { recursive: true });
  const newest = Date.now() - 60_000;
  const uploads: Upload[] = [];
  const writes: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const { name, type } = seededFile(i);
    const bytes = Buffer.from(`seeded upload ${i}\n`);
    const at = new Date(newest - (count - 1 - i) * 1000).toISOString();
    const id = randomBytes(16).toString('base64url');
    const upload: Upload = {
      id,
      name,
      type,
      size: bytes.length,
      expected: bytes.length,
      status: 'completed',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      createdAt: at,
      completedAt: at,
      url: `/api/uploads/${id}/content`,
    };
    uploads.push(upload);
    writes.push(writeFile(join(dir, id), bytes), writeFile(join(dir, `${id}.json`), JSON.stringify(upload)));
    // Bounded batches: thousands of open files at once would hit the descriptor limit.
    if (writes.length >= 256) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  return uploads.reverse();
}
