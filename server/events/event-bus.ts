// The bus between the progress tracker (and presence) and the feeds. Publishing stamps each event
// with the next server-wide `seq` and serialises it once; subscribers get the encoded event, in
// seq order, each seq once. Two implementations: the in-process one below (the default, no setup)
// and server/cluster/redis-event-bus.ts (REDIS_URL: one log shared by every node, where `seq` is
// assigned inside Redis, so publish() only queues and the event arrives a moment later).
import { type EncodedEvent, type EventBody, encodeEvent } from './event-types.js';

export type EventListener = (event: EncodedEvent) => void;

/** What a bus tells the feeds besides events. */
export type BusChange =
  /** Events cannot be published or received right now (Redis unreachable); publishing still queues. */
  | { kind: 'degraded' }
  /** The bus works again; what was queued meanwhile follows in order. */
  | { kind: 'restored' }
  /**
   * The history was lost or skipped (Redis lost its stream: a new epoch; or this node fell behind
   * the stream's trim): `seq` jumped, and every watcher needs a fresh snapshot. `held` is what the
   * log still holds, oldest first, up to the new `seq`.
   */
  | { kind: 'reset'; held: EncodedEvent[] };

export type BusChangeListener = (change: BusChange) => void;

export interface EventBus {
  /** The seq of the last event delivered to subscribers (0 before the first). */
  readonly seq: number;
  /** Watchers on every node, as of `seq`. */
  readonly watchers: number;
  /** False while degraded. */
  readonly healthy: boolean;
  /**
   * Publishes in call order: events of one publisher are delivered in the order published, so the
   * tracker's rules (progress never backwards, the final progress before `completed`) hold.
   */
  publish(body: EventBody): void;
  /** This node's watcher count changed: publishes a `watchers` event with the total over all nodes. */
  announceWatchers(nodeCount: number): void;
  /** Events the log held when the bus opened, oldest first: the replay ring starts with them. */
  held(): EncodedEvent[];
  /** Returns the function that unsubscribes. */
  subscribe(listener: EventListener): () => void;
  onChange(listener: BusChangeListener): () => void;
}

export class InProcessEventBus implements EventBus {
  #seq = 0;
  #watchers = 0;
  readonly #listeners = new Set<EventListener>();

  get seq(): number {
    return this.#seq;
  }

  get watchers(): number {
    return this.#watchers;
  }

  get healthy(): boolean {
    return true;
  }

  publish(body: EventBody): void {
    // `type` first and `seq` second, as the protocol examples show them; the body fills the rest.
    const event = encodeEvent(Object.assign({ type: body.type, seq: ++this.#seq }, body));
    for (const listener of this.#listeners) listener(event);
  }

  announceWatchers(nodeCount: number): void {
    this.#watchers = nodeCount;
    this.publish({ type: 'watchers', count: nodeCount });
  }

  /** A new process starts a new history. */
  held(): EncodedEvent[] {
    return [];
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Never degraded, never reset. */
  onChange(_listener: BusChangeListener): () => void {
    return () => {};
  }
}
