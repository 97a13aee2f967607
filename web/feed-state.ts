// The dashboard's model of the server, built from the feed: a snapshot replaces everything, then each
// event is applied in `seq` order (DESIGN.md §5: seq rises by one per event across the server).
// Duplicates and stale events (seq ≤ the last applied, e.g. replayed after a `since` reconnect) are
// dropped. A jump in seq is normal: a watcher that falls behind gets progress events coalesced to the
// latest per upload (§5), so the skipped seqs were progress steps the newer event supersedes.
import type { FeedEvent, Upload } from './api-types.js';

/** An upload as the dashboard knows it: the API's object, plus why it failed (from upload.failed). */
export type LiveUpload = Upload & { failure?: string };

export interface FeedState {
  /** Seq of the last applied message; null before the first snapshot. */
  seq: number | null;
  /** Uploads by id, newest first. */
  uploads: ReadonlyMap<string, LiveUpload>;
  watchers: number;
  /** Cluster mode: the server said its shared event log (Redis) is unreachable; events are delayed. */
  degraded: boolean;
}

export type ApplyResult =
  | { kind: 'applied'; state: FeedState }
  | { kind: 'ignored'; state: FeedState; reason: 'duplicate' | 'before-snapshot' };

export const emptyFeedState: FeedState = { seq: null, uploads: new Map(), watchers: 0, degraded: false };

const terminal = new Set(['completed', 'failed', 'aborted']);

function newestFirst(uploads: Iterable<LiveUpload>): Map<string, LiveUpload> {
  const sorted = [...uploads].sort((a, b) =>
    a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
  );
  return new Map(sorted.map((u) => [u.id, u]));
}

/** Adds a new upload: in front when it is the newest (the usual case, no sort), else in its place. */
function withNew(uploads: ReadonlyMap<string, LiveUpload>, added: LiveUpload): Map<string, LiveUpload> {
  const newest = uploads.values().next().value;
  if (!newest || added.createdAt >= newest.createdAt) return new Map([[added.id, added], ...uploads]);
  return newestFirst([added, ...uploads.values()]);
}

/** Merges an upload's new state into the old one: stored bytes never shrink, a finished upload stays finished. */
function mergeUpload(old: LiveUpload | undefined, next: LiveUpload, isProgress: boolean): LiveUpload {
  if (!old) return next;
  if (isProgress && terminal.has(old.status)) return old;
  return { ...old, ...next, size: isProgress ? Math.max(old.size, next.size) : next.size };
}

export function applyFeedEvent(state: FeedState, event: FeedEvent): ApplyResult {
  if (event.type === 'snapshot') {
    return {
      kind: 'applied',
      state: {
        seq: event.seq,
        uploads: newestFirst(event.uploads),
        watchers: event.watchers,
        degraded: false,
      },
    };
  }
  // Notices about the feed itself carry the seq the watcher is at: not log events, never duplicates.
  if (event.type === 'feed.degraded' || event.type === 'feed.restored') {
    return { kind: 'applied', state: { ...state, degraded: event.type === 'feed.degraded' } };
  }
  if (state.seq === null) return { kind: 'ignored', state, reason: 'before-snapshot' };
  if (event.seq <= state.seq) return { kind: 'ignored', state, reason: 'duplicate' };

  const seq = event.seq;
  switch (event.type) {
    case 'watchers':
      return { kind: 'applied', state: { ...state, seq, watchers: event.count } };
    case 'upload.deleted': {
      const uploads = new Map(state.uploads);
      uploads.delete(event.upload.id);
      return { kind: 'applied', state: { ...state, seq, uploads } };
    }
    default: {
      const old = state.uploads.get(event.upload.id);
      const next =
        event.type === 'upload.failed' ? { ...event.upload, failure: event.error.message } : event.upload;
      const merged = mergeUpload(old, next, event.type === 'upload.progress');
      const uploads = old ? new Map(state.uploads).set(merged.id, merged) : withNew(state.uploads, merged);
      return { kind: 'applied', state: { ...state, seq, uploads } };
    }
  }
}
