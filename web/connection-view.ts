// The connection state, always on screen: a pill in the header (Live / Connecting / Reconnecting, and
// the transport), the number of people watching, and while disconnected an error box (role="alert")
// saying that uploads cannot go through, with a countdown to the next attempt and "Reconnect now".
import { setAttributes, setText } from './element.js';
import { type FeedStatus, WS_FAILURES_BEFORE_SSE } from './live-feed.js';
import { locale } from './locale.js';

export interface ConnectionElements {
  pill: HTMLElement;
  watchers: HTMLElement;
  alert: HTMLElement;
  reconnectNow: HTMLButtonElement;
}

export class ConnectionView {
  readonly #elements: ConnectionElements;
  #status: FeedStatus = { state: 'connecting', transport: 'ws' };
  /** Whether the connection is lost (the alert is up) until the next successful connect. */
  #lost = false;
  #everConnected = false;
  #degraded = false;
  #ticker: ReturnType<typeof setInterval> | undefined;

  constructor(elements: ConnectionElements, reconnectNow: () => void) {
    this.#elements = elements;
    setText(elements.reconnectNow, locale.reconnectNow);
    elements.reconnectNow.onclick = reconnectNow;
    setAttributes(elements.watchers, { title: locale.watchingLabel });
    this.#render();
  }

  /** Returns 'lost' or 'restored' when the change is worth announcing. */
  status(status: FeedStatus): 'lost' | 'restored' | null {
    const wasConnected = this.#status.state === 'connected';
    this.#status = status;
    if (status.state === 'connected') this.#everConnected = true;
    let change: 'lost' | 'restored' | null = null;
    // A page that has never connected tries both transports before raising the alarm: where WebSocket
    // is blocked, falling back to SSE is how start-up goes, not an outage.
    const alarming =
      this.#everConnected || (status.state === 'reconnecting' && status.failures > WS_FAILURES_BEFORE_SSE);
    if (status.state === 'reconnecting' && !this.#lost && alarming) {
      this.#lost = true;
      change = 'lost';
    }
    if (status.state === 'connected' && this.#lost && !wasConnected) {
      this.#lost = false;
      change = 'restored';
    }
    this.#render();
    clearInterval(this.#ticker);
    // Tick the countdown once a second while waiting to reconnect.
    if (status.state === 'reconnecting') this.#ticker = setInterval(() => this.#render(), 1000);
    return change;
  }

  /** The server's shared event log is unreachable: connected, but events are delayed. */
  degraded(degraded: boolean): void {
    if (degraded === this.#degraded) return;
    this.#degraded = degraded;
    this.#render();
  }

  watchers(count: number): void {
    setText(this.#elements.watchers, locale.watching(count));
  }

  #render(): void {
    const { pill, alert } = this.#elements;
    const status = this.#status;
    const connected = this.#degraded ? 'degraded' : 'connected';
    const state = status.state === 'connected' ? connected : this.#lost ? 'reconnecting' : 'connecting';
    const title =
      locale.transport(status.transport) + (state === 'degraded' ? `: ${locale.degradedDetail}` : '');
    setAttributes(pill, { 'data-state': state, title });
    setText(pill.querySelector('.connection-text')!, locale.connection[state]);
    setAttributes(alert, { hidden: !this.#lost });
    // The count is last known while disconnected: dim it rather than show a stale number as live.
    setAttributes(this.#elements.watchers, { 'data-stale': state !== 'connected' });
    if (this.#lost) {
      const seconds =
        status.state === 'reconnecting' ? Math.max(0, (status.retryAt - Date.now()) / 1000) : undefined;
      setText(alert.querySelector('.alert-title')!, locale.connectionLost);
      setText(alert.querySelector('.alert-detail')!, locale.connectionLostDetail(seconds));
    }
  }
}
