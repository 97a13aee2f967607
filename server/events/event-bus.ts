// The bus between the progress tracker (and presence) and the feeds. Publishing stamps each event
// with the next server-wide `seq` and serialises it once; subscribers get the encoded event.
// The interface is what a multi-process bus (e.g. Redis pub/sub with INCR for `seq`) would
// implement; the in-process one below is the default and needs no setup.
import { type EncodedEvent, type EventBody, encodeEvent } from './event-types.js';

export type EventListener = (event: EncodedEvent) => void;

export interface EventBus {
  /** The seq of the last published event (0 before the first). */
  readonly seq: number;
  publish(body: EventBody): EncodedEvent;
  /** Returns the function that unsubscribes. */
  subscribe(listener: EventListener): () => void;
}

export class InProcessEventBus implements EventBus {
  #seq = 0;
  readonly #listeners = new Set<EventListener>();

  get seq(): number {
    return this.#seq;
  }

  publish(body: EventBody): EncodedEvent {
    // `type` first and `seq` second, as the protocol examples show them; the body fills the rest.
    const event = encodeEvent(Object.assign({ type: body.type, seq: ++this.#seq }, body));
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
