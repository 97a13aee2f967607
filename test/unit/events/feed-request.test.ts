import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type FeedAccessPolicy, readFeedRequest, refusalError } from '../../../server/events/feed-request.js';

const request = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as IncomingMessage;

const open: FeedAccessPolicy = { authToken: null, corsOrigins: [] };
const locked: FeedAccessPolicy = { authToken: 's3cret', corsOrigins: ['https://ok.example'] };

describe('readFeedRequest', () => {
  it('reads since from the query', () => {
    expect(readFeedRequest(request('/api/events?since=41'), open)).toMatchObject({ since: 41 });
    expect(readFeedRequest(request('/api/events'), open)).toMatchObject({ since: undefined });
  });

  it('prefers Last-Event-ID (an EventSource reconnect) over the since it was opened with', () => {
    const req = request('/api/events?since=3', { 'last-event-id': '17' });
    expect(readFeedRequest(req, open)).toMatchObject({ since: 17 });
  });

  it.each(['-1', '1.5', 'abc', '', '01', '99999999999999999999'])(
    'refuses since=%j with EVENTS_INVALID_QUERY',
    (since) => {
      const refusal = readFeedRequest(request(`/api/events?since=${since}`), open);
      expect(refusal).toMatchObject({ code: 'EVENTS_INVALID_QUERY' });
      expect(refusalError(refusal as never)).toMatchObject({ statusCode: 400, code: 'EVENTS_INVALID_QUERY' });
    },
  );

  it("admits the server's own origin without CORS_ORIGINS", () => {
    const req = request('/api/events', { origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' });
    expect(readFeedRequest(req, open)).toMatchObject({ since: undefined });
  });

  it('403s a disallowed origin, before looking at the token', () => {
    const refusal = readFeedRequest(
      request('/api/events?token=s3cret', { origin: 'https://evil.example' }),
      locked,
    );
    expect(refusal).toEqual({ code: 'ORIGIN_NOT_ALLOWED', args: ['https://evil.example'] });
    expect(refusalError(refusal as never)).toMatchObject({ statusCode: 403 });
  });

  it('401s without the token, accepts it from ?token= or a bearer header', () => {
    expect(readFeedRequest(request('/api/events'), locked)).toMatchObject({ code: 'AUTH_REQUIRED' });
    expect(readFeedRequest(request('/api/events?token=wrong'), locked)).toMatchObject({
      code: 'AUTH_REQUIRED',
    });
    expect(readFeedRequest(request('/api/events?token=s3cret'), locked)).toMatchObject({ since: undefined });
    const bearer = request('/api/events', { authorization: 'Bearer s3cret', origin: 'https://ok.example' });
    expect(readFeedRequest(bearer, locked)).toMatchObject({ since: undefined });
    expect(refusalError({ code: 'AUTH_REQUIRED', args: [] })).toMatchObject({ statusCode: 401 });
  });
});
