// The connection to the event feed (DESIGN.md §5). WebSocket first; after repeated WebSocket failures
// (a proxy that drops Upgrade, say) Server-Sent Events on the same URL. Every drop is followed by a
// reconnect with exponential backoff and jitter, resuming with ?since=SEQ so the server replays what
// was missed (or sends a fresh snapshot when it no longer holds that far back).

import { type ApiTarget, feedUrl } from './api-target.js';
import { type FeedEvent, parseFeedEvent } from './api-types.js';
import { backoffDelay, feedBackoff } from './backoff.js';

export type Transport = 'ws' | 'sse';

export type FeedStatus =
  | { state: 'connecting'; transport: Transport }
  | { state: 'connected'; transport: Transport }
  /** Disconnected; the next attempt starts at `retryAt` (ms since epoch). */
  | { state: 'reconnecting'; transport: Transport; retryAt: number; failures: number };

export interface LiveFeedOptions {
  target: ApiTarget;
  /** The seq to resume after, or null for a fresh snapshot. */
  since(): number | null;
  event(event: FeedEvent): void;
  status(status: FeedStatus): void;
}

/** WebSocket attempts that fail before ever receiving a message, before trying SSE instead. */
export const WS_FAILURES_BEFORE_SSE = 3;

interface Connection {
  close(): void;
}

export class LiveFeed {
  readonly #options: LiveFeedOptions;
  #connection: Connection | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #wsFailures = 0;
  #transport: Transport = 'ws';
  #stopped = false;

  constructor(options: LiveFeedOptions) {
    this.#options = options;
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#connection?.close();
    this.#connection = null;
  }

  /** Skip the rest of the backoff (the user pressed "Reconnect now", or the browser came back online). */
  reconnectNow(): void {
    if (this.#stopped || this.#connection) return;
    clearTimeout(this.#timer);
    this.#connect();
  }

  #connect(): void {
    this.#transport = this.#wsFailures >= WS_FAILURES_BEFORE_SSE ? 'sse' : 'ws';
    this.#options.status({ state: 'connecting', transport: this.#transport });
    const url = feedUrl(this.#options.target, this.#transport, this.#options.since());
    const handlers: FeedHandlers = {
      first: () => {
        this.#failures = 0;
        if (this.#transport === 'ws') this.#wsFailures = 0;
        this.#options.status({ state: 'connected', transport: this.#transport });
      },
      message: (data) => {
        const event = parseFeedEvent(data);
        if (event) this.#options.event(event);
      },
      closed: (gotMessages) => this.#dropped(gotMessages),
    };
    this.#connection =
      this.#transport === 'ws' ? openWebSocket(url, handlers) : openEventSource(url, handlers);
  }

  #dropped(gotMessages: boolean): void {
    this.#connection?.close();
    this.#connection = null;
    if (this.#stopped) return;
    if (!gotMessages && this.#transport === 'ws') this.#wsFailures++;
    // SSE failing too means the server is down rather than WebSocket blocked: alternate the two from
    // now on (one more WebSocket try, then SSE again), so whichever works first when it is back wins.
    if (!gotMessages && this.#transport === 'sse') this.#wsFailures = WS_FAILURES_BEFORE_SSE - 1;
    const delay = backoffDelay(this.#failures, feedBackoff);
    this.#failures++;
    this.#options.status({
      state: 'reconnecting',
      transport: this.#transport,
      retryAt: Date.now() + delay,
      failures: this.#failures,
    });
    this.#timer = setTimeout(() => this.#connect(), delay);
  }
}

interface FeedHandlers {
  /** The first message of a connection arrived: it works. */
  first(): void;
  message(data: string): void;
  closed(gotMessages: boolean): void;
}

function openWebSocket(url: string, on: FeedHandlers): Connection {
  const socket = new WebSocket(url);
  let gotMessages = false;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    on.closed(gotMessages);
  };
  socket.onmessage = (event) => {
    if (done || typeof event.data !== 'string') return;
    if (!gotMessages) {
      gotMessages = true;
      on.first();
    }
    on.message(event.data);
  };
  socket.onclose = finish;
  socket.onerror = finish;
  return {
    close() {
      done = true;
      socket.onmessage = socket.onclose = socket.onerror = null;
      if (socket.readyState <= WebSocket.OPEN) socket.close(1000);
    },
  };
}

function openEventSource(url: string, on: FeedHandlers): Connection {
  // EventSource would reconnect by itself, with its own fixed delay and Last-Event-ID; closing it on
  // error keeps one reconnect policy (ours, with ?since=) for both transports.
  const source = new EventSource(url);
  let gotMessages = false;
  let done = false;
  source.onmessage = (event: MessageEvent<string>) => {
    if (done) return;
    if (!gotMessages) {
      gotMessages = true;
      on.first();
    }
    on.message(event.data);
  };
  source.onerror = () => {
    if (done) return;
    done = true;
    source.close();
    on.closed(gotMessages);
  };
  return {
    close() {
      done = true;
      source.close();
    },
  };
}
