// The shapes of DESIGN.md §4 (HTTP API) and §5 (event protocol) this client relies on. Upload and
// event types come from the server's own definitions (type-only: nothing of server/ is bundled), so a
// change to the contract breaks the UI's type check instead of its behaviour.
import type { FeedNotice, LiveEvent, Snapshot } from '../server/events/event-types.js';

export type { Upload, UploadStatus } from '../server/uploads/upload.js';

export interface ServerConfig {
  maxFileSize: number;
  maxFiles: number;
  allowedTypes: string[];
  auth: boolean;
  /** Files larger than this go through tus (resumable); absent from servers without tus. */
  resumableThreshold?: number;
  tusChunkSize?: number;
}

export interface ApiErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

export type FeedEvent = Snapshot | LiveEvent | FeedNotice;

/** A feed message parsed from JSON, or null when it is not one this client understands. */
export function parseFeedEvent(text: string): FeedEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const event = value as { type?: unknown; seq?: unknown };
  if (typeof event.type !== 'string' || typeof event.seq !== 'number') return null;
  switch (event.type) {
    case 'snapshot':
      return Array.isArray((value as { uploads?: unknown }).uploads) ? (value as FeedEvent) : null;
    case 'feed.degraded':
    case 'feed.restored':
      return value as FeedEvent;
    case 'watchers':
      return typeof (value as { count?: unknown }).count === 'number' ? (value as FeedEvent) : null;
    case 'upload.started':
    case 'upload.progress':
    case 'upload.completed':
    case 'upload.failed':
    case 'upload.aborted':
    case 'upload.paused':
    case 'upload.expired':
    case 'upload.deleted': {
      const upload = (value as { upload?: { id?: unknown } }).upload;
      return typeof upload?.id === 'string' ? (value as FeedEvent) : null;
    }
    default:
      return null;
  }
}
