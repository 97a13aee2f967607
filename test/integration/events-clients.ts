// Real clients for the live feeds, shared by the events integration tests: a `ws` WebSocket
// watcher, an SSE reader that parses text/event-stream from a raw HTTP response (as EventSource
// does, HTML Standard §9.2.6), and a long-poller. Each collects the JSON events it receives.
import { request } from 'node:http';
import WebSocket from 'ws';

export interface FeedEvent {
  type: string;
  seq: number;
  [field: string]: unknown;
}

/** Collected events with a way to wait for one that matches. */
export class EventLog {
  readonly events: FeedEvent[] = [];
  #waiters: { match: (e: FeedEvent) => boolean; resolve: (e: FeedEvent) => void }[] = [];

  add(event: FeedEvent): void {
    this.events.push(event);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.match(event)) return true;
      waiter.resolve(event);
      return false;
    });
  }

  /** The first event (already received or still to come) that matches. */
  waitFor(match: (e: FeedEvent) => boolean, what = 'event', timeoutMs = 10_000): Promise<FeedEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** Events after the snapshot (or catch-up start), excluding presence. */
  uploadEvents(): FeedEvent[] {
    return this.events.filter((e) => e.type.startsWith('upload.'));
  }
}

export interface WsWatcher extends EventLog {
  socket: WebSocket;
}

export function openWsWatcher(url: string, headers: Record<string, string> = {}): Promise<WsWatcher> {
  const log = new EventLog() as WsWatcher;
  const socket = new WebSocket(url, { headers });
  log.socket = socket;
  socket.on('message', (data) => log.add(JSON.parse(String(data))));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(log));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

export interface SseReader extends EventLog {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  ids: number[];
  comments: string[];
  ended: Promise<void>;
  close(): void;
}

export function openSseReader(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const log = new EventLog() as SseReader;
  log.ids = [];
  log.comments = [];
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      log.status = res.statusCode ?? 0;
      log.headers = res.headers;
      log.close = () => req.destroy();
      log.ended = new Promise((done) => res.on('close', done));
      let buffered = '';
      let data: string[] = [];
      let id: string | undefined;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split(/\r\n|\r|\n/);
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (line === '') {
            // A blank line dispatches the event gathered so far.
            if (data.length > 0) {
              if (id !== undefined) log.ids.push(Number(id));
              log.add(JSON.parse(data.join('\n')));
            }
            data = [];
            id = undefined;
          } else if (line.startsWith(':')) {
            log.comments.push(line.slice(1).trim());
          } else {
            const colon = line.indexOf(':');
            const field = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') data.push(value);
            else if (field === 'id') id = value;
          }
        }
      });
      resolve(log);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface PollAnswer {
  status: number;
  body: { events: FeedEvent[]; seq: number } & Record<string, unknown>;
}

export function poll(url: string, headers: Record<string, string> = {}): Promise<PollAnswer> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    })
      .on('error', reject)
      .end();
  });
}

/** A long-poller that keeps polling from where it left off, collecting every event. */
export function startLongPoller(base: string): EventLog & { stop(): void } {
  const log = new EventLog() as EventLog & { stop(): void };
  let running = true;
  log.stop = () => {
    running = false;
  };
  void (async () => {
    let since: number | undefined;
    while (running) {
      const query = since === undefined ? '' : `?since=${since}&timeout=5`;
      // A poll still waiting when the test stops its server fails: that is the end, not an error.
      const answer = await poll(`${base}/api/events/poll${query}`).catch((error: unknown) => {
        if (running) throw error;
        return undefined;
      });
      if (!answer) return;
      const { body } = answer;
      for (const event of body.events) log.add(event);
      since = body.seq;
    }
  })();
  return log;
}
