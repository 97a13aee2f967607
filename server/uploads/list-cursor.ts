// The listing's order and its cursor, shared by the index and the search (DESIGN.md §4): newest first
// by completion time, then id, so the order is total. A cursor names a position, not an upload, so it
// stays valid when that upload is deleted: "<completedAt as epoch ms>.<id>".
import type { Upload } from './upload.js';

/** The order key: ISO 8601 times sort as strings; the id breaks ties. */
export const sortKey = (upload: Upload) => `${upload.completedAt ?? upload.createdAt}\u0000${upload.id}`;

export const sortKeyCursor = (upload: Upload) =>
  `${Date.parse(upload.completedAt ?? upload.createdAt)}.${upload.id}`;

/** The order key a cursor stands for. */
export function cursorKey(cursor: string): string {
  const dot = cursor.indexOf('.');
  const ms = Number(cursor.slice(0, dot));
  return `${new Date(ms).toISOString()}\u0000${cursor.slice(dot + 1)}`;
}

/** A cursor as produced by a listing; anything else is a client error. */
export const isListCursor = (cursor: string) =>
  /^\d{1,15}\.[A-Za-z0-9_-]{22}$/.test(cursor) &&
  !Number.isNaN(new Date(Number(cursor.split('.')[0])).getTime());
