// The live event protocol (DESIGN.md §5) in one table: every event type a feed can carry, and
// whether a slow watcher may have it coalesced. The same JSON objects travel on all three feeds.
import type { Upload, UploadError } from '../uploads/upload.js';

export const EVENT_TYPES = {
  snapshot: { coalescable: false, meaning: 'first message of a feed: in-progress and recent uploads' },
  'upload.started': { coalescable: false, meaning: 'a file part began streaming to disk' },
  'upload.progress': { coalescable: true, meaning: 'bytes stored so far (throttled; never backwards)' },
  'upload.completed': { coalescable: false, meaning: 'stored in full: final size and sha256' },
  'upload.failed': { coalescable: false, meaning: 'refused or broken, with an error code' },
  'upload.aborted': {
    coalescable: false,
    meaning: 'the client went away mid-upload, or terminated a resumable one',
  },
  'upload.paused': {
    coalescable: false,
    meaning: 'a resumable upload lost its connection: bytes stored and expiry',
  },
  'upload.expired': {
    coalescable: false,
    meaning: 'a paused resumable upload passed its expiry; its bytes are removed',
  },
  'upload.deleted': { coalescable: false, meaning: 'removed by DELETE /api/uploads/:id' },
  watchers: { coalescable: false, meaning: 'a dashboard joined or left: the new count' },
  'feed.degraded': { coalescable: false, meaning: 'the shared event log (Redis) is unreachable' },
  'feed.restored': { coalescable: false, meaning: 'the shared event log is back; held events follow' },
} as const;

export type EventType = keyof typeof EVENT_TYPES;

/** An event as published, before the bus stamps it with its `seq`. */
export type EventBody =
  | {
      type:
        | 'upload.started'
        | 'upload.progress'
        | 'upload.completed'
        | 'upload.aborted'
        | 'upload.paused'
        | 'upload.expired';
      upload: Upload;
    }
  | { type: 'upload.failed'; upload: Upload; error: UploadError }
  | { type: 'upload.deleted'; upload: { id: string } }
  | { type: 'watchers'; count: number };

export type LiveEvent = EventBody & { seq: number };

/**
 * What a node tells its own watchers about the feed itself (cluster mode): not part of the log, so
 * it carries the seq the watcher is at (like a snapshot) and is never replayed.
 */
export type FeedNotice = { type: 'feed.degraded'; seq: number } | { type: 'feed.restored'; seq: number };

export interface Snapshot {
  type: 'snapshot';
  seq: number;
  uploads: Upload[];
  watchers: number;
}

/**
 * A published event, serialised once: every feed and every watcher shares `json` (and each feed
 * frames it once), so the cost of an event does not grow with the number of watchers.
 */
export interface EncodedEvent {
  readonly seq: number;
  readonly type: EventType;
  /** Set for upload events: lets a slow watcher's queue keep only the latest progress per upload. */
  readonly uploadId: string | undefined;
  readonly json: string;
}

export function encodeEvent(event: LiveEvent | Snapshot | FeedNotice): EncodedEvent {
  return {
    seq: event.seq,
    type: event.type,
    uploadId: 'upload' in event ? event.upload.id : undefined,
    json: JSON.stringify(event),
  };
}
