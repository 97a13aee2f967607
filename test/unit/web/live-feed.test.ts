// The feed's reconnect and transport policy, with stand-ins for the browser's WebSocket and
// EventSource (the real ones are exercised in Chromium by test/e2e).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FeedEvent } from '../../../web/api-types.js';
import { type FeedStatus, LiveFeed } from '../../../web/live-feed.js';

class FakeSocket {
  static readonly OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.closed = true;
  }
  receive(data: unknown) {
    this.readyState = 1;
    this.onmessage?.({ data });
  }
  fail() {
    this.readyState = 3;
    this.onerror?.();
    this.onclose?.();
  }
}

class FakeEventSource {
  static all: FakeEventSource[] = [];
  onmessage: ((event: { data: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }
  close() {
    this.closed = true;
  }
  receive(data: string) {
    this.onmessage?.({ data });
  }
  fail() {
    this.onerror?.();
  }
}

const snapshot = (seq: number) => JSON.stringify({ type: 'snapshot', seq, uploads: [], watchers: 1 });

describe('LiveFeed', () => {
  let statuses: FeedStatus[];
  let events: FeedEvent[];
  let since: number | null;
  let feed: LiveFeed;

  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    FakeEventSource.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.stubGlobal('EventSource', FakeEventSource);
    statuses = [];
    events = [];
    since = null;
    feed = new LiveFeed({
      target: { base: 'http://api.test', token: null },
      since: () => since,
      event: (e) => events.push(e),
      status: (s) => statuses.push(s),
    });
  });

  afterEach(() => {
    feed.stop();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  const lastSocket = () => FakeSocket.all.at(-1)!;
  const lastSource = () => FakeEventSource.all.at(-1)!;

  it('connects over WebSocket and reports connected on the first message', () => {
    feed.start();
    expect(lastSocket().url).toBe('ws://api.test/api/events');
    expect(statuses.at(-1)).toEqual({ state: 'connecting', transport: 'ws' });
    lastSocket().receive(snapshot(4));
    expect(statuses.at(-1)).toEqual({ state: 'connected', transport: 'ws' });
    expect(events).toEqual([{ type: 'snapshot', seq: 4, uploads: [], watchers: 1 }]);
  });

  it('ignores messages that are not protocol events', () => {
    feed.start();
    lastSocket().receive('{"type":"nonsense","seq":1}');
    lastSocket().receive('garbage');
    expect(events).toEqual([]);
  });

  it('reconnects after a drop with backoff, resuming with ?since=', async () => {
    feed.start();
    lastSocket().receive(snapshot(7));
    since = 9;
    lastSocket().fail();
    const status = statuses.at(-1)!;
    expect(status.state).toBe('reconnecting');
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all).toHaveLength(2);
    expect(lastSocket().url).toBe('ws://api.test/api/events?since=9');
  });

  it('waits longer after each failure, and starts over after a success', async () => {
    feed.start();
    const delays: number[] = [];
    for (let i = 0; i < 2; i++) {
      lastSocket().fail();
      const s = statuses.at(-1)!;
      if (s.state === 'reconnecting') delays.push(s.retryAt - Date.now());
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(delays[0]).toBeLessThanOrEqual(500);
    expect(delays[1]).toBeGreaterThanOrEqual(500);
    lastSocket().receive(snapshot(1));
    lastSocket().fail();
    const s = statuses.at(-1)!;
    expect(s.state === 'reconnecting' && s.retryAt - Date.now()).toBeLessThanOrEqual(500);
  });

  it('falls back to SSE after three WebSocket attempts that never got a message', async () => {
    feed.start();
    for (let i = 0; i < 3; i++) {
      lastSocket().fail();
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(FakeSocket.all).toHaveLength(3);
    expect(FakeEventSource.all).toHaveLength(1);
    expect(lastSource().url).toBe('http://api.test/api/events');
    lastSource().receive(snapshot(2));
    expect(statuses.at(-1)).toEqual({ state: 'connected', transport: 'sse' });
  });

  it('alternates WebSocket and SSE while both fail (the server is down)', async () => {
    feed.start();
    for (let i = 0; i < 3; i++) {
      lastSocket().fail();
      await vi.advanceTimersByTimeAsync(10_000);
    }
    lastSource().fail();
    expect(lastSource().closed).toBe(true); // our backoff, not EventSource's own retry
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all).toHaveLength(4);
    lastSocket().fail();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeEventSource.all).toHaveLength(2);
  });

  it('"Reconnect now" skips the wait; stop() ends everything', async () => {
    feed.start();
    lastSocket().fail();
    feed.reconnectNow();
    expect(FakeSocket.all).toHaveLength(2);
    feed.stop();
    expect(lastSocket().closed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('passes the token in the query, where browsers allow no headers', () => {
    const withToken = new LiveFeed({
      target: { base: 'https://drop.example', token: 's3cret' },
      since: () => 3,
      event: () => {},
      status: () => {},
    });
    withToken.start();
    expect(lastSocket().url).toBe('wss://drop.example/api/events?since=3&token=s3cret');
    withToken.stop();
  });
});
