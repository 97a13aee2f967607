import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from '../../server/origin-policy.js';

describe('isOriginAllowed', () => {
  it('allows requests without Origin (not a browser cross-origin request)', () => {
    expect(isOriginAllowed(undefined, 'localhost:3000', [])).toBe(true);
  });

  it('always allows the same origin', () => {
    expect(isOriginAllowed('http://127.0.0.1:3000', '127.0.0.1:3000', [])).toBe(true);
    expect(isOriginAllowed('http://127.0.0.1:3001', '127.0.0.1:3000', [])).toBe(false);
  });

  it('allows listed origins, or any with *', () => {
    expect(isOriginAllowed('https://a.example', 'h:1', ['https://a.example'])).toBe(true);
    expect(isOriginAllowed('https://b.example', 'h:1', ['https://a.example'])).toBe(false);
    expect(isOriginAllowed('https://b.example', 'h:1', '*')).toBe(true);
  });

  it('never treats "null" or garbage as same-origin', () => {
    expect(isOriginAllowed('null', 'null', [])).toBe(false);
    expect(isOriginAllowed('not a url', 'h:1', [])).toBe(false);
  });
});
