// The seam between the push feeds and whatever measures them (server/metrics.ts), like UploadObserver
// is for the upload pipeline: a feed reports what happened once per batch, never per byte, and never
// knows who listens.
import type { EncodedEvent } from './event-types.js';

export type FeedName = 'websocket' | 'sse';

export interface FeedObserver {
  /** A batch of events was handed to `watchers` watchers (written, or queued behind a slow socket). */
  delivered(events: readonly EncodedEvent[], watchers: number): void;
  /** A watcher came back with `since`: it got the events it missed (`replay`), or a fresh snapshot. */
  caughtUp(how: 'replay' | 'snapshot'): void;
  /** A watcher that could not keep up was dropped (DESIGN.md §5, the slow-watcher policy). */
  slowWatcherClosed(): void;
}

export const ignoreFeed: FeedObserver = {
  delivered() {},
  caughtUp() {},
  slowWatcherClosed() {},
};
