// The event bus of cluster mode (REDIS_URL): one Redis Stream is the log every node shares. A node
// publishes through its outbox (event-outbox.ts) into a Lua script that assigns the next dense seq
// inside Redis and appends the event (event-log-scripts.ts); every node, the publisher included,
// tails the stream (XREAD BLOCK on a connection of its own), checks that each seq is the last + 1,
// and feeds its watchers and its replay ring from it: one order for everyone, and `since` means the
// same on every node. A jump in seq or a new epoch resets the node's replica (watchers get a fresh
// snapshot). While Redis is unreachable uploads go on, events wait in the outbox and the feeds say
// `feed.degraded`; afterwards the outbox drains in order and every node converges.
import { errors } from '../errors.js';
import type { BusChange, BusChangeListener, EventBus, EventListener } from '../events/event-bus.js';
import type { EncodedEvent, EventBody } from '../events/event-types.js';
import type { Upload } from '../uploads/upload.js';
import { ClusterUploads } from './cluster-uploads.js';
import { BOOTSTRAP, EPOCH, HEARTBEAT, LOG_KEYS, PUBLISH } from './event-log-scripts.js';
import { EventOutbox, type OutboxEntry } from './event-outbox.js';
import { restOf, type StreamEntry, toEvent } from './event-stream-entry.js';
import { connectRedis, isPermanentError, LuaScript, type RedisConnection } from './redis-connection.js';

export interface RedisEventBusOptions {
  url: string;
  /** Unique per running node (its presence and its uploads are filed under it). */
  nodeId: string;
  /** Every key starts with it, so several installations can share one Redis. */
  keyPrefix: string;
  /** Events this node keeps for `since` (the replay ring). */
  replayCapacity: number;
  heartbeatMs: number;
  /** A node without a heartbeat for this long is dead: its watchers and uploads drop out. */
  nodeTimeoutMs: number;
  /** Events the stream keeps (MAXLEN ~). */
  streamMaxLength: number;
  outboxCapacity: number;
  /** Completed uploads in a snapshot. */
  recentLimit: number;
  /** This node's recent completed uploads (its storage): re-announced when Redis lost the log. */
  localRecent(): Upload[];
  log: {
    info(message: string): void;
    warn(message: string): void;
  };
}

type BootstrapReply = [string, string, string, StreamEntry[], string[], (string | null)[]];

const BATCH = 256;
const RETRY_MS = 200;
const TAIL_BLOCK_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RedisEventBus implements EventBus {
  readonly uploads: ClusterUploads;
  readonly #options: RedisEventBusOptions;
  readonly #outbox: EventOutbox;
  readonly #listeners = new Set<EventListener>();
  readonly #changeListeners = new Set<BusChangeListener>();
  readonly #scripts: Record<'publish' | 'heartbeat' | 'bootstrap' | 'epoch', LuaScript>;
  readonly #keys: string[];
  readonly #streamKey: string;
  #commands!: RedisConnection;
  #tail!: RedisConnection;
  #epoch = '';
  #seq = 0;
  #watchers = 0;
  #localWatchers = 0;
  #held: EncodedEvent[] = [];
  #tailOk = true;
  #commandsOk = true;
  #healthy = true;
  #draining = false;
  #closed = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #tailLoop: Promise<void> = Promise.resolve();

  private constructor(options: RedisEventBusOptions) {
    this.#options = options;
    this.#outbox = new EventOutbox(options.outboxCapacity);
    this.uploads = new ClusterUploads(options.recentLimit);
    this.#keys = LOG_KEYS.map((name) => options.keyPrefix + name);
    this.#streamKey = this.#keys[1]!;
    this.#scripts = {
      publish: new LuaScript(PUBLISH),
      heartbeat: new LuaScript(HEARTBEAT),
      bootstrap: new LuaScript(BOOTSTRAP),
      epoch: new LuaScript(EPOCH),
    };
  }

  /** Connects, loads the log's tail and projections, registers the node and starts tailing. */
  static async open(options: RedisEventBusOptions): Promise<RedisEventBus> {
    const bus = new RedisEventBus(options);
    const onError = () => bus.#commandFailed();
    bus.#commands = await connectRedis({ url: options.url, name: `livedrop:${options.nodeId}`, onError });
    bus.#tail = await connectRedis({ url: options.url, name: `livedrop:${options.nodeId}:tail`, onError });
    await bus.#load(true);
    await bus.#beat();
    bus.#heartbeat = setInterval(() => void bus.#beat(), options.heartbeatMs).unref();
    bus.#tailLoop = bus.#runTail();
    return bus;
  }

  get seq(): number {
    return this.#seq;
  }

  get watchers(): number {
    return this.#watchers;
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  get epoch(): string {
    return this.#epoch;
  }

  /** Events held for `since` when the node started or last reset, oldest first. */
  held(): EncodedEvent[] {
    return this.#held;
  }

  /** Events dropped because the outbox overflowed during an outage. */
  get droppedEvents(): number {
    return this.#outbox.dropped;
  }

  publish(body: EventBody): void {
    const uploadId = 'upload' in body ? body.upload.id : '';
    const extra =
      body.type === 'upload.completed'
        ? ['', '', String(Date.parse(body.upload.completedAt ?? '') || ''), String(this.#options.recentLimit)]
        : [];
    this.#enqueue(body.type, uploadId, restOf(body), extra);
  }

  announceWatchers(nodeCount: number): void {
    this.#localWatchers = nodeCount;
    this.#enqueue('watchers', '', String(nodeCount), []);
  }

  /**
   * Resolves once this node has delivered every event Redis had appended when it was called (its
   * seq reached the log's), or after `timeoutMs`, or at once when Redis cannot say (unreachable).
   */
  async caughtUp(timeoutMs = 1000): Promise<void> {
    let target: number;
    try {
      target = Number(await this.#commands.hGet(this.#keys[0]!, 's'));
    } catch {
      return;
    }
    const deadline = Date.now() + timeoutMs;
    while (this.#seq < target && !this.#closed && Date.now() < deadline) await sleep(5);
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  onChange(listener: BusChangeListener): () => void {
    this.#changeListeners.add(listener);
    return () => {
      this.#changeListeners.delete(listener);
    };
  }

  /** Leaves the cluster: drains the outbox (briefly), removes the node's presence, disconnects. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#heartbeat);
    const deadline = Date.now() + 2000;
    while (this.#outbox.size > 0 && this.#healthy && Date.now() < deadline) await sleep(10);
    this.#closed = true;
    await this.#scripts.heartbeat
      .run(this.#commands, this.#keys, [
        this.#options.nodeId,
        0,
        this.#options.nodeTimeoutMs,
        this.#maxLen(),
        'leave',
      ])
      .catch(() => {});
    if (this.#tail.isOpen) this.#tail.destroy();
    await this.#tailLoop;
    if (this.#commands.isOpen) this.#commands.destroy();
  }

  #maxLen(): string {
    return String(this.#options.streamMaxLength);
  }

  #enqueue(type: string, uploadId: string, rest: string, extra: string[]): void {
    this.#outbox.add(type, uploadId, rest, extra);
    if (!this.#draining) {
      this.#draining = true;
      // Everything published in this tick leaves in one pipeline.
      queueMicrotask(() => void this.#drain());
    }
  }

  /** Sends the outbox in order, one pipeline per batch; on failure retries from the first unsent. */
  async #drain(): Promise<void> {
    const { nodeId, nodeTimeoutMs } = this.#options;
    try {
      while (this.#outbox.size > 0 && !this.#closed) {
        const batch = this.#outbox.take(BATCH);
        const results = await Promise.allSettled(
          batch.map((entry: OutboxEntry) =>
            this.#scripts.publish.run(this.#commands, this.#keys, [
              nodeId,
              entry.number,
              entry.type,
              entry.uploadId,
              entry.rest,
              this.#maxLen(),
              nodeTimeoutMs,
              ...entry.extra,
            ]),
          ),
        );
        let done = 0;
        for (const result of results) {
          if (result.status === 'rejected' && !isPermanentError(result.reason)) break;
          if (result.status === 'rejected') this.#options.log.warn(`event not published: ${result.reason}`);
          done++;
        }
        this.#outbox.settle(done);
        if (done < batch.length) {
          this.#commandFailed();
          await sleep(RETRY_MS);
        } else this.#commandSucceeded();
      }
    } finally {
      this.#draining = false;
    }
  }

  async #beat(): Promise<void> {
    if (this.#closed) return;
    const { nodeId, nodeTimeoutMs } = this.#options;
    try {
      const [epoch, ...orphans] = await this.#scripts.heartbeat.run<string[]>(this.#commands, this.#keys, [
        nodeId,
        this.#localWatchers,
        nodeTimeoutMs,
        this.#maxLen(),
        'beat',
      ]);
      this.#commandSucceeded();
      // The tail loop notices and reloads.
      if (epoch !== this.#epoch && this.#tail.isOpen) this.#tail.destroy();
      for (let i = 0; i < orphans.length; i += 2) this.#markOrphan(orphans[i]!, orphans[i + 1]!);
    } catch {
      this.#commandFailed();
    }
  }

  /**
   * An upload whose node died: a multipart one failed (its request died with the node), a resumable
   * one paused (its bytes are in the shared storage; the client resumes through any node). Several
   * survivors may try; the script lets one through.
   */
  #markOrphan(id: string, deadNode: string): void {
    const upload = this.uploads.live(id);
    if (!upload) return;
    const body: EventBody =
      upload.kind === 'resumable'
        ? { type: 'upload.paused', upload: { ...upload, status: 'paused' } }
        : {
            type: 'upload.failed',
            upload: { ...upload, status: 'failed' },
            error: { code: 'NODE_LOST', message: new errors.NODE_LOST(deadNode).message },
          };
    this.#enqueue(body.type, id, restOf(body), ['orphan', deadNode]);
  }

  async #runTail(): Promise<void> {
    let reconnected = false;
    while (!this.#closed) {
      try {
        if (!this.#tail.isOpen) this.#tail = await this.#reopenTail();
        if (reconnected) {
          const epoch = await this.#scripts.epoch.run<string>(this.#tail, this.#keys, []);
          if (epoch !== this.#epoch) await this.#load(false);
          reconnected = false;
        }
        const reply = await this.#tail.sendCommand<[string, StreamEntry[]][] | null>([
          'XREAD',
          'COUNT',
          '1000',
          'BLOCK',
          String(TAIL_BLOCK_MS),
          'STREAMS',
          this.#streamKey,
          `${this.#seq}-0`,
        ]);
        this.#setTailOk(true);
        for (const entry of reply?.[0]?.[1] ?? []) {
          const event = toEvent(entry);
          // A gap: the stream was trimmed past us, or it is another epoch's. Start over from Redis.
          if (event.seq !== this.#seq + 1) {
            await this.#load(false);
            break;
          }
          this.#deliver(event);
        }
      } catch {
        if (this.#closed) break;
        this.#setTailOk(false);
        reconnected = true;
        await sleep(RETRY_MS);
      }
    }
    // A tail reopened while close() ran is closed here.
    if (this.#tail.isOpen) this.#tail.destroy();
  }

  async #reopenTail(): Promise<RedisConnection> {
    const { url, nodeId } = this.#options;
    return connectRedis({ url, name: `livedrop:${nodeId}:tail`, onError: () => {} });
  }

  /** (Re)starts the replica from Redis: epoch, seq, watchers, the latest events and the projections. */
  async #load(initial: boolean): Promise<void> {
    const [epoch, seq, watchers, entries, live, recent] = await this.#scripts.bootstrap.run<BootstrapReply>(
      this.#tail,
      this.#keys,
      [this.#options.replayCapacity],
    );
    const newEpoch = epoch !== this.#epoch;
    if (newEpoch && !initial) this.#options.log.warn(`Redis lost the event log: new epoch ${epoch}`);
    this.#epoch = epoch;
    this.#seq = Number(seq);
    this.#watchers = Number(watchers);
    this.uploads.load(live, recent);
    // Newest first from XREVRANGE; keep the contiguous run that ends at seq.
    const held: EncodedEvent[] = [];
    for (const entry of entries) {
      const event = toEvent(entry);
      if (event.seq !== this.#seq - held.length) break;
      held.unshift(event);
    }
    this.#held = held;
    if (!initial) this.#emit({ kind: 'reset', held });
    if (newEpoch) {
      // Redis may have lost the recent uploads too: each node re-announces those its storage holds
      // (the script skips the ones already there), and its watchers right away.
      for (const upload of this.#options.localRecent()) {
        const body: EventBody = { type: 'upload.completed', upload };
        this.#enqueue(body.type, upload.id, restOf(body), [
          'unseen',
          '',
          String(Date.parse(upload.completedAt ?? '') || ''),
          String(this.#options.recentLimit),
        ]);
      }
      if (!initial) void this.#beat();
    }
  }

  #deliver(event: EncodedEvent): void {
    this.#seq = event.seq;
    if (event.type === 'watchers') this.#watchers = (JSON.parse(event.json) as { count: number }).count;
    this.uploads.apply(event);
    for (const listener of this.#listeners) listener(event);
  }

  #setTailOk(ok: boolean): void {
    this.#tailOk = ok;
    this.#updateHealth();
  }

  #commandFailed(): void {
    this.#commandsOk = false;
    this.#updateHealth();
  }

  #commandSucceeded(): void {
    this.#commandsOk = true;
    this.#updateHealth();
  }

  #updateHealth(): void {
    const healthy = this.#tailOk && this.#commandsOk;
    if (healthy === this.#healthy || this.#closed) return;
    this.#healthy = healthy;
    this.#options.log.warn(healthy ? 'Redis reachable again' : 'Redis unreachable: events are held back');
    this.#emit({ kind: healthy ? 'restored' : 'degraded' });
  }

  #emit(change: BusChange): void {
    for (const listener of this.#changeListeners) listener(change);
  }
}
