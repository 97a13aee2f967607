// Who is watching: one count across the WebSocket and SSE feeds (long-pollers come and go between
// requests, so they are not counted). Every join and leave is announced to everyone, the chat-room
// rule, so each dashboard can show how many people are looking.
import type { EventBus } from './event-bus.js';

export class Presence {
  #count = 0;

  constructor(private readonly bus: EventBus) {}

  get count(): number {
    return this.#count;
  }

  join(): void {
    this.#count++;
    this.bus.publish({ type: 'watchers', count: this.#count });
  }

  leave(): void {
    this.#count--;
    this.bus.publish({ type: 'watchers', count: this.#count });
  }
}
