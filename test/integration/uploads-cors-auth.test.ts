// Who may talk to the API: CORS_ORIGINS for browsers on other origins, AUTH_TOKEN for everyone.
import { afterEach, describe, expect, it } from 'vitest';
import {
  postMultipart,
  rawPost,
  startServer,
  type TestServer,
  tempFiles,
} from '../fixtures/upload-server.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const preflight = (url: string, origin: string) =>
  fetch(`${url}/api/uploads`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'x-upload-ref, authorization',
    },
  });

const file = { name: 'file', filename: 'f.txt', data: 'hello' };

describe('CORS', () => {
  it('lets an allowed origin preflight and post an upload with X-Upload-Ref and Authorization', async () => {
    server = await startServer({ CORS_ORIGINS: 'https://good.example' });
    const response = await preflight(server.url, 'https://good.example');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://good.example');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase();
    expect(allowed).toContain('x-upload-ref');
    expect(allowed).toContain('authorization');

    const posted = await postMultipart(server.url, [file], {
      origin: 'https://good.example',
      'x-upload-ref': 'r',
    });
    expect(posted.status).toBe(201);
    expect(posted.headers.get('access-control-allow-origin')).toBe('https://good.example');
    const download = await fetch(`${server.url}/api/uploads`, {
      headers: { origin: 'https://good.example' },
    });
    expect(download.headers.get('access-control-allow-origin')).toBe('https://good.example');
  });

  it('gives a disallowed origin no Access-Control-Allow-Origin and refuses its upload with 403 ORIGIN_NOT_ALLOWED', async () => {
    server = await startServer({ CORS_ORIGINS: 'https://good.example' });
    const response = await preflight(server.url, 'https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();

    // multipart/form-data needs no preflight: the server itself must refuse, before reading the body.
    const posted = await postMultipart(server.url, [file], { origin: 'https://evil.example' });
    expect(posted.status).toBe(403);
    expect(((await posted.json()) as { code: string }).code).toBe('ORIGIN_NOT_ALLOWED');
    expect(posted.headers.get('access-control-allow-origin')).toBeNull();
    expect(await tempFiles(server.dir)).toEqual([]);
  });

  it('sends no CORS headers at all without CORS_ORIGINS, but same-origin pages may post', async () => {
    server = await startServer();
    const response = await preflight(server.url, 'https://good.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const crossOrigin = await postMultipart(server.url, [file], { origin: 'https://good.example' });
    expect(crossOrigin.status).toBe(403);
    const sameOrigin = await postMultipart(server.url, [file], { origin: server.url });
    expect(sameOrigin.status).toBe(201);
    expect(sameOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers any origin with * only when CORS_ORIGINS=*', async () => {
    server = await startServer({ CORS_ORIGINS: '*' });
    const response = await preflight(server.url, 'https://anyone.example');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('exposes the download headers a cross-origin page needs', async () => {
    server = await startServer({ CORS_ORIGINS: 'https://good.example' });
    const posted = await postMultipart(server.url, [file]);
    const { uploads } = (await posted.json()) as { uploads: { url: string }[] };
    const download = await fetch(`${server.url}${uploads[0]!.url}`, {
      headers: { origin: 'https://good.example' },
    });
    const exposed = download.headers.get('access-control-expose-headers')!.toLowerCase();
    expect(exposed).toContain('content-disposition');
    expect(exposed).toContain('content-range');
  });
});

describe('AUTH_TOKEN', () => {
  const token = 's3cret-token';

  it('401 AUTH_REQUIRED without the token, on every API route but health and config', async () => {
    server = await startServer({ AUTH_TOKEN: token });
    for (const [method, path] of [
      ['GET', '/api/uploads'],
      ['GET', '/api/uploads/AAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/uploads/AAAAAAAAAAAAAAAAAAAAAA/content'],
      ['DELETE', '/api/uploads/AAAAAAAAAAAAAAAAAAAAAA'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(((await response.json()) as { code: string }).code).toBe('AUTH_REQUIRED');
    }
    const wrong = await fetch(`${server.url}/api/uploads`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/api/config`)).json()).toMatchObject({ auth: true });
  });

  it('accepts the bearer header everywhere and ?token= on GET only', async () => {
    server = await startServer({ AUTH_TOKEN: token });
    const posted = await postMultipart(server.url, [file], { authorization: `Bearer ${token}` });
    expect(posted.status).toBe(201);
    const { uploads } = (await posted.json()) as { uploads: { url: string }[] };
    const download = await fetch(`${server.url}${uploads[0]!.url}?token=${token}`);
    expect(await download.text()).toBe('hello');
    const postWithQuery = await fetch(`${server.url}/api/uploads?token=${token}`, { method: 'POST' });
    expect(postWithQuery.status).toBe(401);
  });

  it('refuses an unauthenticated upload before reading its body', async () => {
    server = await startServer({ AUTH_TOKEN: token });
    // Headers announce 10 MB but only a few bytes are ever sent: the answer must not wait for them.
    const response = await rawPost(
      server.url,
      { 'content-type': 'multipart/form-data; boundary=x', 'content-length': 10_000_000 },
      [Buffer.from('--x\r\n')],
      { end: false },
    );
    expect(response.status).toBe(401);
    expect(await tempFiles(server.dir)).toEqual([]);
  });
});
