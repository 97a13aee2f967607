// The shapes of DESIGN.md §4 (HTTP API) and §5 (event protocol), as this client relies on them.
// Written against the contract, not imported from server/, so the UI can talk to any livedrop server.

export type UploadStatus = 'uploading' | 'completed' | 'failed' | 'aborted';

export interface Upload {
  id: string;
  ref?: string;
  name: string;
  type: string;
  /** Bytes stored on the server so far. */
  size: number;
  /** The exact total, or null when the client did not announce it. */
  expected: number | null;
  status: UploadStatus;
  sha256?: string;
  thumbnail?: string;
  createdAt: string;
  completedAt?: string;
  url?: string;
}

export interface ServerConfig {
  maxFileSize: number;
  maxFiles: number;
  allowedTypes: string[];
  auth: boolean;
}

export interface ApiErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

export type FeedEvent =
  | { type: 'snapshot'; seq: number; uploads: Upload[]; watchers: number }
  | {
      type: 'upload.started' | 'upload.progress' | 'upload.completed' | 'upload.aborted';
      seq: number;
      upload: Upload;
    }
  | { type: 'upload.failed'; seq: number; upload: Upload; error: { code: string; message: string } }
  | { type: 'upload.deleted'; seq: number; upload: { id: string } }
  | { type: 'watchers'; seq: number; count: number };

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
    case 'watchers':
      return typeof (value as { count?: unknown }).count === 'number' ? (value as FeedEvent) : null;
    case 'upload.started':
    case 'upload.progress':
    case 'upload.completed':
    case 'upload.failed':
    case 'upload.aborted':
    case 'upload.deleted': {
      const upload = (value as { upload?: { id?: unknown } }).upload;
      return typeof upload?.id === 'string' ? (value as FeedEvent) : null;
    }
    default:
      return null;
  }
}
