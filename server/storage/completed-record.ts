// What every backend checks before a stored record enters the index at start-up: it must describe a
// completed upload of this id whose bytes are all there (a crash between the bytes and the record,
// or a hand-edited record, is skipped rather than listed).
import type { Upload } from '../uploads/upload.js';

export function describesCompletedUpload(
  value: unknown,
  id: string,
  storedSize: number | undefined,
): value is Upload {
  const upload = value as Upload | null;
  return (
    upload?.id === id &&
    upload.status === 'completed' &&
    typeof upload.name === 'string' &&
    typeof upload.type === 'string' &&
    Number.isSafeInteger(upload.size) &&
    typeof upload.createdAt === 'string' &&
    typeof upload.completedAt === 'string' &&
    storedSize === upload.size
  );
}
