import { describe, expect, it } from 'vitest';
import { errorMessage, isRetryable, parseApiError } from '../../../web/api-error.js';
import { apiTargetFrom, apiUrl, authHeaders, feedUrl, linkUrl } from '../../../web/api-target.js';

describe('parseApiError / errorMessage', () => {
  it("shows the server's message from Fastify's error shape", () => {
    const body = JSON.stringify({
      statusCode: 413,
      code: 'UPLOAD_FILE_TOO_LARGE',
      error: 'Payload Too Large',
      message: 'File too large: the limit is 5 GiB',
    });
    expect(parseApiError(body)?.code).toBe('UPLOAD_FILE_TOO_LARGE');
    expect(errorMessage(413, body)).toBe('File too large: the limit is 5 GiB');
  });

  it('falls back to the status for bodies that are not API errors', () => {
    expect(errorMessage(502, '<html>Bad gateway</html>')).toBe('The server answered with HTTP 502');
    expect(errorMessage(500, '')).toBe('The server answered with HTTP 500');
    expect(errorMessage(400, '{"message":"no status"}')).toBe('The server answered with HTTP 400');
  });
});

describe('isRetryable', () => {
  it('retries network failures and server trouble, never refusals or a full disk', () => {
    expect(isRetryable(0)).toBe(true);
    expect(isRetryable(503)).toBe(true);
    expect(isRetryable(500)).toBe(true);
    expect(isRetryable(413)).toBe(false);
    expect(isRetryable(400)).toBe(false);
    expect(isRetryable(401)).toBe(false);
    expect(isRetryable(507)).toBe(false);
  });
});

describe('api target', () => {
  const page = { href: 'http://localhost:5173/?x=1', origin: 'http://localhost:5173' };

  it("uses the page's origin by default", () => {
    const target = apiTargetFrom(page);
    expect(target).toEqual({ base: 'http://localhost:5173', token: null });
    expect(apiUrl(target, '/api/uploads')).toBe('http://localhost:5173/api/uploads');
    expect(authHeaders(target)).toEqual({});
  });

  it('points at another origin with ?api= and carries ?token=', () => {
    const target = apiTargetFrom({
      href: 'http://localhost:5173/?api=http://127.0.0.1:3000/ignored/path&token=s3cret',
      origin: 'http://localhost:5173',
    });
    expect(target).toEqual({ base: 'http://127.0.0.1:3000', token: 's3cret' });
    expect(apiUrl(target, '/api/uploads/x/content')).toBe('http://127.0.0.1:3000/api/uploads/x/content');
    expect(authHeaders(target)).toEqual({ Authorization: 'Bearer s3cret' });
    expect(feedUrl(target, 'ws', 41)).toBe('ws://127.0.0.1:3000/api/events?since=41&token=s3cret');
    expect(feedUrl(target, 'sse', null)).toBe('http://127.0.0.1:3000/api/events?token=s3cret');
  });

  it('never turns a server-given url into a script link', () => {
    const target = { base: 'http://127.0.0.1:3000', token: null };
    expect(apiUrl(target, 'javascript:alert(1)')).toBe('http://127.0.0.1:3000/');
    expect(apiUrl(target, 'https://cdn.example/x')).toBe('https://cdn.example/x');
  });

  it('puts the token on links, which cannot carry headers', () => {
    expect(linkUrl({ base: 'http://a.test', token: 's 1' }, '/api/uploads/x/content')).toBe(
      'http://a.test/api/uploads/x/content?token=s+1',
    );
    expect(linkUrl({ base: 'http://a.test', token: null }, '/api/uploads/x/content')).toBe(
      'http://a.test/api/uploads/x/content',
    );
  });

  it('keeps wss for https servers', () => {
    expect(feedUrl({ base: 'https://drop.example', token: null }, 'ws', null)).toBe(
      'wss://drop.example/api/events',
    );
  });

  it('ignores a malformed ?api=', () => {
    expect(apiTargetFrom({ href: 'http://a.test/?api=::nope', origin: 'http://a.test' }).base).toBe(
      'http://a.test',
    );
  });
});
