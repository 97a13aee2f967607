import { describe, expect, it } from 'vitest';
import { encodeEvent } from '../../../server/events/event-types.js';
import { frameSseEvent } from '../../../server/events/sse-feed.js';

describe('frameSseEvent', () => {
  it('frames an event as an id line (the seq) and one data line, ended by a blank line', () => {
    const event = encodeEvent({ type: 'watchers', seq: 2, count: 2 });
    expect(frameSseEvent(event).toString()).toBe('id: 2\ndata: {"type":"watchers","seq":2,"count":2}\n\n');
  });

  it('keeps a name with newlines and a line separator on one data line (JSON escapes them)', () => {
    const name = 'evil\n\ndata: {"type":"fake"}\r\u2028.txt';
    const event = encodeEvent({
      type: 'upload.started',
      seq: 1,
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
