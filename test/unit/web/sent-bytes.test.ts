import { describe, expect, it } from 'vitest';
import { SentBytes } from '../../../web/sent-bytes.js';

describe('SentBytes', () => {
  it('scales the multipart body progress to the file size', () => {
    // A 1000-byte file in a 1200-byte body (boundaries and the size/thumbnail fields).
    const sent = new SentBytes(1000);
    expect(sent.update(600, 1200)).toBe(500);
    expect(sent.update(1200, 1200)).toBe(1000);
  });

  it('never goes backwards', () => {
    const sent = new SentBytes(1000);
    sent.update(900, 1000);
    expect(sent.update(300, 1000)).toBe(900);
    expect(sent.value).toBe(900);
  });

  it('never exceeds the file size, even if loaded overshoots total', () => {
    const sent = new SentBytes(1000);
    expect(sent.update(1500, 1000)).toBe(1000);
  });

  it('ignores events without a usable total', () => {
    const sent = new SentBytes(1000);
    expect(sent.update(500, 0)).toBe(0);
    expect(sent.update(Number.NaN, 100)).toBe(0);
  });

  it('ignores progress that arrives after abort', () => {
    const sent = new SentBytes(1000);
    sent.update(250, 1000);
    sent.freeze();
    expect(sent.update(1000, 1000)).toBe(250);
    expect(sent.finish()).toBe(250);
  });

  it('counts the whole file once the body is out', () => {
    const sent = new SentBytes(1000);
    sent.update(10, 1000);
    expect(sent.finish()).toBe(1000);
  });
});
