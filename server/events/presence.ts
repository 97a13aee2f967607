// Who is watching: one count across the WebSocket and SSE feeds (long-pollers come and go between
// requests, so they are not counted). Every join and leave is announced to everyone, the chat-room
// rule, so each dashboard can show how many people are looking. The bus sums the nodes' counts
// when there is more than one node.
import type { EventBus } from './event-bus.js';

export class Presence {
  #local = 0;

  constructor(private readonly bus: EventBus) {}

  /** Watchers on every node, as of the bus's seq. */
  get count(): number {
    return this.bus.watchers;
  }

  /** Watchers on this node. */
  get localCount(): number {
    return this.#local;
  }

  join(): void {
    this.bus.announceWatchers(++this.#local);
  }

  leave(): void {
    this.bus.announceWatchers(--this.#local);
  }
}
