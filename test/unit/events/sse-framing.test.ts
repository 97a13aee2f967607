import { describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../../../server/events/event-bus.js';
import { frameSseEvent } from '../../../server/events/sse-feed.js';

describe('frameSseEvent', () => {
  it('frames an event as an id line (the seq) and one data line, ended by a blank line', () => {
    const bus = new InProcessEventBus();
    bus.publish({ type: 'watchers', count: 1 });
    const event = bus.publish({ type: 'watchers', count: 2 });
    expect(frameSseEvent(event).toString()).toBe('id: 2\ndata: {"type":"watchers","seq":2,"count":2}\n\n');
  });

  it('keeps a name with newlines and a line separator on one data line (JSON escapes them)', () => {
    const bus = new InProcessEventBus();
    const name = 'evil\n\ndata: {"type":"fake"}\r\u2028.txt';
    const event = bus.publish({
      type: 'upload.started',
      upload: {
        id: 'x',
        name,
        type: 'text/plain',
        size: 0,
        expected: null,
        status: 'uploading',
        createdAt: '',
      },
    });
    const text = frameSseEvent(event).toString();
    // Per the SSE grammar, CR, LF and CRLF end lines; only the final blank line may appear.
    const lines = text.split(/\r\n|\r|\n/);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('id: 1');
    expect(JSON.parse(lines[1]!.slice('data: '.length)).upload.name).toBe(name);
    expect(lines.slice(2)).toEqual(['', '']);
  });
});
