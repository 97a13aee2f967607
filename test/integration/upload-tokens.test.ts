// Scoped upload tokens over raw HTTP: issued with the admin AUTH_TOKEN, bound to one origin, expiring,
// limited in size, count and type, and able to create uploads only, never to list, read or delete.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  multipart,
  type Part,
  postMultipart,
  startServer,
  type TestServer,
  tempFiles,
} from '../fixtures/upload-server.js';

const ADMIN = 'admin-secret';
const SITE = 'https://shop.example';
const OTHER = 'https://other.example';
const env = { AUTH_TOKEN: ADMIN, CORS_ORIGINS: `${SITE},${OTHER}` };

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function start(extra: Record<string, string> = {}): Promise<TestServer> {
  const server = await startServer({ ...env, ...extra });
  servers.push(server);
  return server;
}

const admin = { authorization: `Bearer ${ADMIN}` };
const file = (name = 'a.txt', data = 'hello', type = 'text/plain'): Part => ({
  name: 'file',
  filename: name,
  type,
  data,
});

async function issue(server: TestServer, body: unknown, headers: Record<string, string> = admin) {
  return fetch(`${server.url}/api/upload-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function tokenFor(server: TestServer, body: Record<string, unknown> = {}): Promise<string> {
  const response = await issue(server, { origin: SITE, ...body });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

const withToken = (token: string, origin = SITE) => ({ authorization: `Bearer ${token}`, origin });
const code = async (response: Response) => ((await response.json()) as { code: string }).code;

async function listedIds(server: TestServer): Promise<string[]> {
  const page = (await (await fetch(`${server.url}/api/uploads`, { headers: admin })).json()) as {
    uploads: { id: string }[];
  };
  return page.uploads.map((upload) => upload.id);
}

describe('POST /api/upload-tokens', () => {
  it('issues a token with its limits and expiry to the admin', async () => {
    const server = await start();
    const before = Date.now();
    const response = await issue(server, {
      origin: SITE,
      maxFileSize: '1MiB',
      maxFiles: 3,
      types: ['image/*', 'application/pdf'],
      expiresIn: 600,
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      origin: SITE,
      maxFileSize: 1024 ** 2,
      maxFiles: 3,
      types: ['image/*', 'application/pdf'],
    });
    expect(body.token).toMatch(/^ldt1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const expires = Date.parse(body.expiresAt as string);
    expect(expires).toBeGreaterThanOrEqual(before + 599_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 601_000);
  });

  it('401 without the admin token, 403 UPLOAD_TOKEN_SCOPE with a scoped one', async () => {
    const server = await start();
    expect(await code(await issue(server, { origin: SITE }, {}))).toBe('AUTH_REQUIRED');
    const token = await tokenFor(server);
    const again = await issue(server, { origin: SITE }, withToken(token));
    expect(again.status).toBe(403);
    expect(await code(again)).toBe('UPLOAD_TOKEN_SCOPE');
  });

  it('400 for an origin outside CORS_ORIGINS, a size over MAX_FILE_SIZE, bad types or a life over UPLOAD_TOKEN_MAX_TTL', async () => {
    const server = await start({ MAX_FILE_SIZE: '1MiB', UPLOAD_TOKEN_MAX_TTL: '600' });
    for (const body of [
      { origin: 'https://evil.example' },
      { origin: `${SITE}/path` },
      { origin: SITE, maxFileSize: '2MiB' },
      { origin: SITE, maxFiles: 0 },
      { origin: SITE, types: ['not a type'] },
      { origin: SITE, expiresIn: 601 },
    ]) {
      const response = await issue(server, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await code(response)).toBe('UPLOAD_INVALID_FIELD');
    }
  });

  it('409 UPLOAD_TOKENS_DISABLED without AUTH_TOKEN (uploads need no token then)', async () => {
    const server = await startServer({ CORS_ORIGINS: SITE });
    servers.push(server);
    const response = await issue(server, { origin: SITE }, {});
    expect(response.status).toBe(409);
    expect(await code(response)).toBe('UPLOAD_TOKENS_DISABLED');
  });
});

describe('a scoped upload token', () => {
  it('creates uploads from its origin, by header or by ?token= (plain forms)', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const byHeader = await postMultipart(server.url, [file()], withToken(token));
    expect(byHeader.status).toBe(201);
    const { body, contentType } = multipart([file('b.txt')]);
    const byQuery = await fetch(`${server.url}/api/uploads?token=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': contentType, origin: SITE },
      body: new Uint8Array(body),
    });
    expect(byQuery.status).toBe(201);
    expect(await listedIds(server)).toHaveLength(2);
  });

  it('is bound to its origin: 403 UPLOAD_TOKEN_ORIGIN from another allowed origin or without Origin', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const other = await postMultipart(server.url, [file()], withToken(token, OTHER));
    expect(other.status).toBe(403);
    expect(await code(other)).toBe('UPLOAD_TOKEN_ORIGIN');
    const none = await postMultipart(server.url, [file()], { authorization: `Bearer ${token}` });
    expect(none.status).toBe(403);
    expect(await listedIds(server)).toEqual([]);
  });

  it('refuses a file over its maxFileSize with 413 and keeps no bytes', async () => {
    const server = await start();
    const token = await tokenFor(server, { maxFileSize: 10 });
    const response = await postMultipart(server.url, [file('big.txt', 'x'.repeat(11))], withToken(token));
    expect(response.status).toBe(413);
    expect(await code(response)).toBe('UPLOAD_FILE_TOO_LARGE');
    expect(await tempFiles(server.dir)).toEqual([]);
    expect((await postMultipart(server.url, [file('ok.txt', 'x'.repeat(10))], withToken(token))).status).toBe(
      201,
    );
  });

  it('refuses a type outside its types with 415', async () => {
    const server = await start();
    const token = await tokenFor(server, { types: ['image/*'] });
    const response = await postMultipart(server.url, [file('a.txt')], withToken(token));
    expect(response.status).toBe(415);
    expect(await code(response)).toBe('UPLOAD_TYPE_NOT_ALLOWED');
    expect(
      (await postMultipart(server.url, [file('a.png', 'p', 'image/png')], withToken(token))).status,
    ).toBe(201);
  });

  it('creates at most maxFiles files across requests; a refused request gives its files back', async () => {
    const server = await start();
    const token = await tokenFor(server, { maxFiles: 2 });
    expect((await postMultipart(server.url, [file('1.txt')], withToken(token))).status).toBe(201);
    const twoMore = await postMultipart(server.url, [file('2.txt'), file('3.txt')], withToken(token));
    expect(twoMore.status).toBe(413);
    expect(await code(twoMore)).toBe('UPLOAD_TOKEN_USED_UP');
    expect(await listedIds(server)).toHaveLength(1);
    expect((await postMultipart(server.url, [file('2.txt')], withToken(token))).status).toBe(201);
    const third = await postMultipart(server.url, [file('3.txt')], withToken(token));
    expect(third.status).toBe(413);
    expect(await listedIds(server)).toHaveLength(2);
  });

  it('401 UPLOAD_TOKEN_EXPIRED once expired', async () => {
    const server = await start();
    const token = await tokenFor(server, { expiresIn: 1 });
    expect((await postMultipart(server.url, [file()], withToken(token))).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const late = await postMultipart(server.url, [file()], withToken(token));
    expect(late.status).toBe(401);
    expect(await code(late)).toBe('UPLOAD_TOKEN_EXPIRED');
  });

  it('cannot list, read, download, delete or watch the feed: 403 UPLOAD_TOKEN_SCOPE', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const created = (await (await postMultipart(server.url, [file()], withToken(token))).json()) as {
      uploads: { id: string }[];
    };
    const id = created.uploads[0]!.id;
    const headers = withToken(token);
    for (const [method, path] of [
      ['GET', '/api/uploads'],
      ['GET', `/api/uploads/${id}`],
      ['GET', `/api/uploads/${id}/content`],
      ['DELETE', `/api/uploads/${id}`],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method, headers });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await code(response)).toBe('UPLOAD_TOKEN_SCOPE');
      const byQuery = await fetch(`${server.url}${path}?token=${encodeURIComponent(token)}`, {
        method,
        headers: { origin: SITE },
      });
      expect(byQuery.status, `${method} ${path}?token=`).toBe(403);
    }
    const feed = await fetch(`${server.url}/api/events?token=${encodeURIComponent(token)}`, {
      headers: { origin: SITE },
    });
    expect(feed.status).toBe(403);
    expect(await code(feed)).toBe('UPLOAD_TOKEN_SCOPE');
    const socket = new WebSocket(
      `ws://127.0.0.1:${server.port}/api/events?token=${encodeURIComponent(token)}`,
      {
        origin: SITE,
      },
    );
    const refused = await new Promise<number>((resolve, reject) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => reject(new Error('a scoped token opened the live feed')));
      socket.on('error', () => {});
    });
    socket.terminate();
    expect(refused).toBe(401);
    expect(await listedIds(server)).toEqual([id]);
  });

  it('401 when tampered with: a payload edited to lift its limits no longer matches its signature', async () => {
    const server = await start();
    const token = await tokenFor(server, { maxFileSize: 10 });
    const [prefix, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const lifted = Buffer.from(JSON.stringify({ ...claims, maxFileSize: 1e9 })).toString('base64url');
    const forged = `${prefix}.${lifted}.${signature}`;
    const response = await postMultipart(server.url, [file('big.txt', 'x'.repeat(100))], withToken(forged));
    expect(response.status).toBe(401);
    expect(await code(response)).toBe('AUTH_REQUIRED');
  });

  it('works on every node sharing UPLOAD_TOKEN_SECRET, and on no node with another secret', async () => {
    const a = await start({ UPLOAD_TOKEN_SECRET: 'shared' });
    const b = await start({ UPLOAD_TOKEN_SECRET: 'shared', AUTH_TOKEN: 'another-admin' });
    const c = await start({ UPLOAD_TOKEN_SECRET: 'rotated' });
    const token = await tokenFor(a);
    expect((await postMultipart(b.url, [file()], withToken(token))).status).toBe(201);
    expect((await postMultipart(c.url, [file()], withToken(token))).status).toBe(401);
  });

  it('a plain form post with the token in the action URL lands on the redirect', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const { body, contentType } = multipart([{ name: 'redirect', value: `${SITE}/thanks` }, file()]);
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.request(`${server.url}/api/uploads?token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': contentType, origin: SITE, 'sec-fetch-mode': 'navigate' },
      });
      request.on('response', resolve).on('error', reject).end(body);
    });
    response.resume();
    expect(response.statusCode).toBe(303);
    const location = new URL(response.headers.location!);
    expect(location.origin).toBe(SITE);
    expect(await listedIds(server)).toEqual(location.searchParams.getAll('upload_id'));
  });
});
