// Scoped upload tokens on the tus endpoint, raw HTTP: a token creates resumable uploads within its
// limits, HEADs and PATCHes only its own, and never terminates, concatenates or defers the length.
import { afterEach, describe, expect, it } from 'vitest';
import { headTus, metadataValue, patchTus, TUS, tusRequest } from '../fixtures/tus-http.js';
import { startServer, type TestServer } from '../fixtures/upload-server.js';

const ADMIN = 'admin-secret';
const SITE = 'https://shop.example';
let server: TestServer;
afterEach(async () => {
  await server?.close();
});

async function tokenFor(body: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`${server.url}/api/upload-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ origin: SITE, ...body }),
  });
  return ((await response.json()) as { token: string }).token;
}

const as = (token: string) => ({ authorization: `Bearer ${token}`, origin: SITE });
const code = (body: string) => (JSON.parse(body) as { code: string }).code;
const meta = (name: string, type: string) =>
  `filename ${metadataValue(name)},filetype ${metadataValue(type)}`;

function create(headers: Record<string, string | number>) {
  return tusRequest(`${server.url}/api/tus`, 'POST', { ...TUS, ...headers });
}

describe('a scoped upload token on /api/tus', () => {
  it('creates, HEADs and PATCHes its own upload to completion', async () => {
    server = await startServer({ AUTH_TOKEN: ADMIN, CORS_ORIGINS: SITE });
    const token = await tokenFor();
    const created = await create({
      ...as(token),
      'Upload-Length': 10,
      'Upload-Metadata': meta('a.txt', 'text/plain'),
    });
    expect(created.status).toBe(201);
    const url = new URL(created.headers.location!, server.url).href;
    expect((await patchTus(url, 0, Buffer.from('hello'), as(token))).status).toBe(204);
    const head = await headTus(url, as(token));
    expect(head.status).toBe(200);
    expect(head.headers['upload-offset']).toBe('5');
    expect((await patchTus(url, 5, Buffer.from('world'), as(token))).status).toBe(204);
    const id = url.split('/').pop()!;
    const stored = await fetch(`${server.url}/api/uploads/${id}`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(((await stored.json()) as { name: string; size: number }).size).toBe(10);
  });

  it('403 UPLOAD_TOKEN_SCOPE for another upload, another token, a DELETE or a DELETE override', async () => {
    server = await startServer({ AUTH_TOKEN: ADMIN, CORS_ORIGINS: SITE });
    const mine = await tokenFor();
    const theirs = await tokenFor();
    const created = await create({
      ...as(mine),
      'Upload-Length': 4,
      'Upload-Metadata': meta('a.txt', 'text/plain'),
    });
    const url = new URL(created.headers.location!, server.url).href;
    const admins = await tusRequest(`${server.url}/api/tus`, 'POST', {
      ...TUS,
      authorization: `Bearer ${ADMIN}`,
      'Upload-Length': 4,
    });
    const adminUrl = new URL(admins.headers.location!, server.url).href;

    for (const [name, response] of [
      ['PATCH by another token', await patchTus(url, 0, Buffer.from('abcd'), as(theirs))],
      ['HEAD by another token', await headTus(url, as(theirs))],
      ['HEAD of the admin’s upload', await headTus(adminUrl, as(mine))],
      ['DELETE', await tusRequest(url, 'DELETE', { ...TUS, ...as(mine) })],
      [
        'DELETE override',
        await tusRequest(url, 'POST', { ...TUS, ...as(mine), 'X-HTTP-Method-Override': 'DELETE' }),
      ],
    ] as const) {
      expect(response.status, name).toBe(403);
      // HEAD answers carry no body: the status is all there is.
      if (!name.startsWith('HEAD')) expect(code(response.body), name).toBe('UPLOAD_TOKEN_SCOPE');
    }
    expect((await headTus(url, as(mine))).status).toBe(200);
  });

  it('holds the token’s limits at creation: size, type, count; no deferred length, no concatenation', async () => {
    server = await startServer({ AUTH_TOKEN: ADMIN, CORS_ORIGINS: SITE });
    const token = await tokenFor({ maxFileSize: 100, maxFiles: 2, types: ['image/*'] });
    const png = meta('a.png', 'image/png');
    const refusals = [
      [
        413,
        'UPLOAD_FILE_TOO_LARGE',
        await create({ ...as(token), 'Upload-Length': 101, 'Upload-Metadata': png }),
      ],
      [
        415,
        'UPLOAD_TYPE_NOT_ALLOWED',
        await create({ ...as(token), 'Upload-Length': 1, 'Upload-Metadata': meta('a.txt', 'text/plain') }),
      ],
      [
        403,
        'UPLOAD_TOKEN_SCOPE',
        await create({ ...as(token), 'Upload-Defer-Length': 1, 'Upload-Metadata': png }),
      ],
      [
        403,
        'UPLOAD_TOKEN_SCOPE',
        await create({
          ...as(token),
          'Upload-Length': 1,
          'Upload-Concat': 'partial',
          'Upload-Metadata': png,
        }),
      ],
    ] as const;
    for (const [status, expected, response] of refusals) {
      expect(response.status, expected).toBe(status);
      expect(code(response.body)).toBe(expected);
    }
    // The refusals used none of the allowance: two creations pass, the third does not.
    for (const _ of [1, 2])
      expect((await create({ ...as(token), 'Upload-Length': 1, 'Upload-Metadata': png })).status).toBe(201);
    const third = await create({ ...as(token), 'Upload-Length': 1, 'Upload-Metadata': png });
    expect(third.status).toBe(413);
    expect(code(third.body)).toBe('UPLOAD_TOKEN_USED_UP');
  });

  it('is bound to its origin on tus too', async () => {
    server = await startServer({ AUTH_TOKEN: ADMIN, CORS_ORIGINS: `${SITE},https://other.example` });
    const token = await tokenFor();
    const response = await create({
      ...as(token),
      origin: 'https://other.example',
      'Upload-Length': 1,
      'Upload-Metadata': meta('a.txt', 'text/plain'),
    });
    expect(response.status).toBe(403);
    expect(code(response.body)).toBe('UPLOAD_TOKEN_ORIGIN');
  });
});
