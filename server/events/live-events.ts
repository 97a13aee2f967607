// The events layer, assembled: bus → replay history → tracker and presence → the three feeds.
// buildApp creates one, hands `tracker` to the upload pipeline as its observer and registers `plugin`.
import type { FastifyInstance } from 'fastify';
import type { Upload } from '../uploads/upload.js';
import { type EventBus, InProcessEventBus } from './event-bus.js';
import { EventHistory, type SnapshotSources } from './event-history.js';
import type { EncodedEvent } from './event-types.js';
import type { FeedName, FeedObserver } from './feed-observer.js';
import type { FeedAccessPolicy } from './feed-request.js';
import { registerLongPollFeed } from './long-poll-feed.js';
import { Presence } from './presence.js';
import { ProgressTracker } from './progress-tracker.js';
import { frameSseEvent, registerSseFeed } from './sse-feed.js';
import { type SlowWatcherPolicy, slowWatcherPolicy } from './watcher-queue.js';
import { WatcherSet } from './watcher-set.js';
import { attachWebSocketFeed, frameWebSocketEvent } from './websocket-feed.js';

export interface LiveEventsOptions extends FeedAccessPolicy {
  progressIntervalMs: number;
  heartbeatIntervalMs: number;
  /** Recently completed uploads for snapshots, newest first (the caller reads its own index). */
  recentUploads(): Upload[];
  bus?: EventBus;
  /** Where snapshots come from when the bus is shared (cluster mode: every node's uploads). */
  snapshotSources?: SnapshotSources;
  /** Events kept for reconnects with `since`. */
  replayCapacity?: number;
  slowWatcher?: Partial<SlowWatcherPolicy>;
  sseKeepAliveMs?: number;
  /**
   * How long a watcher being dropped or closed gets: a WebSocket to answer the close frame, an SSE
   * stream to read its backlog and the comment saying why, before the socket is destroyed.
   */
  closeTimeoutMs?: number;
  longPollTimeoutS?: number;
  longPollMaxTimeoutS?: number;
  /** Told what each push feed delivers (server/metrics.ts). */
  feedObserver?(feed: FeedName): FeedObserver;
}

export const liveEventsDefaults = {
  replayCapacity: 4096,
  sseKeepAliveMs: 15_000,
  closeTimeoutMs: 5_000,
  longPollTimeoutS: 25,
  longPollMaxTimeoutS: 60,
} satisfies Partial<LiveEventsOptions>;

export interface LiveEvents {
  bus: EventBus;
  /** The upload pipeline's observer. */
  tracker: ProgressTracker;
  presence: Presence;
  /** Watchers connected to each push feed now (0 before the plugin is registered). */
  watcherCount(feed: FeedName): number;
  /** Registers the feeds on `app` and attaches the WebSocket feed to its HTTP server (same port). */
  plugin(app: FastifyInstance): Promise<void>;
}

export function createLiveEvents(options: LiveEventsOptions): LiveEvents {
  const settings = { ...liveEventsDefaults, ...options };
  const policy = slowWatcherPolicy(options.slowWatcher);
  const bus = options.bus ?? new InProcessEventBus();
  const tracker = new ProgressTracker(bus, settings.progressIntervalMs);
  const presence = new Presence(bus);
  const history = new EventHistory(
    bus,
    settings.replayCapacity,
    options.snapshotSources ?? {
      inProgress: () => tracker.inProgress(),
      recentUploads: options.recentUploads,
    },
  );

  const feeds = new Map<FeedName, WatcherSet>();
  const watcherSet = (feed: FeedName, frame: (event: EncodedEvent) => Buffer) => {
    const set = new WatcherSet(bus, history, presence, policy, frame, options.feedObserver?.(feed));
    feeds.set(feed, set);
    return set;
  };

  async function plugin(app: FastifyInstance): Promise<void> {
    const wsWatchers = watcherSet('websocket', frameWebSocketEvent);
    const webSocketServer = attachWebSocketFeed(app.server, {
      access: options,
      watchers: wsWatchers,
      policy,
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
      closeTimeoutMs: settings.closeTimeoutMs,
    });
    const sseWatchers = watcherSet('sse', frameSseEvent);
    const endSse = registerSseFeed(app, {
      access: options,
      watchers: sseWatchers,
      keepAliveMs: settings.sseKeepAliveMs,
      dropGraceMs: settings.closeTimeoutMs,
    });
    const endLongPolls = registerLongPollFeed(app, {
      access: options,
      bus,
      history,
      presence,
      defaultTimeoutS: settings.longPollTimeoutS,
      maxTimeoutS: settings.longPollMaxTimeoutS,
    });
    // Before the HTTP server stops accepting: open streams and waiting polls would hold close() up.
    app.addHook('preClose', async () => {
      tracker.close();
      wsWatchers.close();
      sseWatchers.close();
      endSse();
      endLongPolls();
      await webSocketServer.close(1001, 'server shutting down');
    });
  }

  return { bus, tracker, presence, watcherCount: (feed) => feeds.get(feed)?.size ?? 0, plugin };
}
