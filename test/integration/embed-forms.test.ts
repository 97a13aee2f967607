// Plain HTML forms posting to /api/uploads from another site, as raw HTTP: a browser navigation
// (Sec-Fetch-Mode: navigate) gets a 303 to the form's `redirect` or an HTML page, never JSON; the
// redirect is checked before any file is stored and never leads off the allowed origins.
import { afterEach, describe, expect, it } from 'vitest';
import {
  multipart,
  type Part,
  rawPost,
  startServer,
  type TestServer,
  tempFiles,
} from '../fixtures/upload-server.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const SITE = 'https://shop.example';
const navigation = { origin: SITE, 'sec-fetch-mode': 'navigate', accept: 'text/html,*/*;q=0.8' };
const files: Part[] = [
  { name: 'attachment', filename: 'cv.txt', type: 'text/plain', data: 'curriculum' },
  { name: 'attachment', filename: 'photo one.png', type: 'image/png', data: 'not really a png' },
];

/** node:http, since fetch() always sends its own Sec-Fetch-Mode: cors. */
async function postForm(url: string, parts: Part[], headers: Record<string, string>) {
  const { body, contentType } = multipart(parts);
  const response = await rawPost(url, { ...headers, 'content-type': contentType }, [body]);
  const header = (name: string) => {
    const value = response.headers[name];
    return typeof value === 'string' ? value : null;
  };
  return { status: response.status, header, text: response.body };
}

async function storedIds(): Promise<string[]> {
  const page = (await (await fetch(`${server.url}/api/uploads`)).json()) as { uploads: { id: string }[] };
  return page.uploads.map((upload) => upload.id);
}

describe('a plain HTML form post', () => {
  it('303s to the redirect with both ids and names in its query, keeping its own query', async () => {
    server = await startServer({ CORS_ORIGINS: SITE });
    const response = await postForm(
      server.url,
      [{ name: 'redirect', value: `${SITE}/thanks?order=7` }, ...files],
      navigation,
    );
    expect(response.status).toBe(303);
    const location = new URL(response.header('location')!);
    expect(location.origin + location.pathname).toBe(`${SITE}/thanks`);
    expect(location.searchParams.get('order')).toBe('7');
    expect(location.searchParams.getAll('upload_name')).toEqual(['cv.txt', 'photo one.png']);
    const ids = location.searchParams.getAll('upload_id');
    expect(ids).toHaveLength(2);
    expect((await storedIds()).sort()).toEqual([...ids].sort());
    const content = await fetch(`${server.url}/api/uploads/${ids[0]}/content`);
    expect(await content.text()).toBe('curriculum');
  });

  it('refuses a redirect to a foreign origin with a 400 HTML page, no Location, and stores nothing', async () => {
    server = await startServer({ CORS_ORIGINS: SITE });
    const response = await postForm(
      server.url,
      [{ name: 'redirect', value: 'https://evil.example/phish' }, ...files],
      navigation,
    );
    expect(response.status).toBe(400);
    expect(response.header('location')).toBeNull();
    expect(response.header('content-type')).toMatch(/^text\/html/);
    const html = response.text;
    expect(html).toContain('UPLOAD_REDIRECT_REFUSED');
    expect(html).toContain('https://evil.example is not an allowed origin');
    expect(await storedIds()).toEqual([]);
    expect(await tempFiles(server.dir)).toEqual([]);
  });

  it('refuses an error_redirect off the allowed origins even when redirect is fine', async () => {
    server = await startServer({ CORS_ORIGINS: SITE });
    const response = await postForm(
      server.url,
      [
        { name: 'redirect', value: `${SITE}/thanks` },
        { name: 'error_redirect', value: 'javascript:alert(1)' },
        ...files,
      ],
      navigation,
    );
    expect(response.status).toBe(400);
    expect(response.header('location')).toBeNull();
    expect(await storedIds()).toEqual([]);
  });

  it('refuses a redirect field that arrives after a file part (400, nothing kept)', async () => {
    server = await startServer({ CORS_ORIGINS: SITE });
    const response = await postForm(
      server.url,
      [files[0]!, { name: 'redirect', value: `${SITE}/thanks` }, files[1]!],
      navigation,
    );
    expect(response.status).toBe(400);
    expect(response.text).toContain('it must come before the first file in the form');
    expect(await storedIds()).toEqual([]);
    expect(await tempFiles(server.dir)).toEqual([]);
  });

  it('with CORS_ORIGINS=* redirects only back to the sending site, never to a third one', async () => {
    server = await startServer({ CORS_ORIGINS: '*' });
    const third = await postForm(
      server.url,
      [{ name: 'redirect', value: 'https://elsewhere.example/' }, files[0]!],
      navigation,
    );
    expect(third.status).toBe(400);
    const back = await postForm(
      server.url,
      [{ name: 'redirect', value: `${SITE}/ok` }, files[0]!],
      navigation,
    );
    expect(back.status).toBe(303);
    expect(back.header('location')).toMatch(/^https:\/\/shop\.example\/ok\?upload_id=/);
  });

  it('303s an upload error to error_redirect with the code, and keeps none of the files', async () => {
    server = await startServer({ CORS_ORIGINS: SITE, ALLOWED_TYPES: 'text/plain' });
    const response = await postForm(
      server.url,
      [
        { name: 'redirect', value: `${SITE}/thanks` },
        { name: 'error_redirect', value: `${SITE}/form?failed=1` },
        ...files,
      ],
      navigation,
    );
    expect(response.status).toBe(303);
    const location = new URL(response.header('location')!);
    expect(location.pathname).toBe('/form');
    expect(location.searchParams.get('failed')).toBe('1');
    expect(location.searchParams.get('upload_error')).toBe('UPLOAD_TYPE_NOT_ALLOWED');
    expect(location.searchParams.get('upload_error_message')).toContain('image/png');
    expect(await storedIds()).toEqual([]);
  });

  it('303s an error to redirect itself when there is no error_redirect', async () => {
    server = await startServer({ CORS_ORIGINS: SITE, MAX_FILE_SIZE: '4B' });
    const response = await postForm(
      server.url,
      [{ name: 'redirect', value: `${SITE}/thanks` }, ...files],
      navigation,
    );
    expect(response.status).toBe(303);
    expect(new URL(response.header('location')!).searchParams.get('upload_error')).toBe(
      'UPLOAD_FILE_TOO_LARGE',
    );
  });

  it('without a redirect answers 201 with an HTML page listing what was stored, names escaped', async () => {
    server = await startServer({ CORS_ORIGINS: SITE });
    const response = await postForm(
      server.url,
      [
        { name: 'file', filename: '<img src=x onerror=alert(1)>.txt', type: 'text/plain', data: 'x' },
        files[0]!,
      ],
      navigation,
    );
    expect(response.status).toBe(201);
    expect(response.header('content-type')).toMatch(/^text\/html/);
    expect(response.header('content-security-policy')).toContain("default-src 'none'");
    const html = response.text;
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('2 files received.');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.txt');
    for (const id of await storedIds()) expect(html).toContain(`href="/api/uploads/${id}/content"`);
  });

  it('shows a page, not JSON, when a navigation comes from an origin that may not post', async () => {
    server = await startServer({ CORS_ORIGINS: SITE });
    const response = await postForm(server.url, files, { ...navigation, origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.header('content-type')).toMatch(/^text\/html/);
    expect(response.text).toContain('Origin https://evil.example is not allowed');
  });

  it('shows a 401 page, not JSON, when AUTH_TOKEN is set and the form carries no token', async () => {
    server = await startServer({ CORS_ORIGINS: SITE, AUTH_TOKEN: 'admin' });
    const response = await postForm(
      server.url,
      [{ name: 'redirect', value: `${SITE}/thanks` }, ...files],
      navigation,
    );
    expect(response.status).toBe(401);
    expect(response.header('location')).toBeNull();
    expect(response.header('content-type')).toMatch(/^text\/html/);
    expect(response.text).toContain('AUTH_REQUIRED');
  });

  it('takes Accept: text/html as a navigation from a browser that sends no Fetch Metadata', async () => {
    server = await startServer({ CORS_ORIGINS: SITE });
    const response = await postForm(server.url, files, { origin: SITE, accept: 'text/html' });
    expect(response.status).toBe(201);
    expect(response.header('content-type')).toMatch(/^text\/html/);
  });

  it('answers JSON clients exactly as before, ignoring a redirect field', async () => {
    server = await startServer({ CORS_ORIGINS: SITE });
    const response = await postForm(
      server.url,
      [{ name: 'redirect', value: 'https://evil.example/' }, ...files],
      { origin: SITE, 'sec-fetch-mode': 'cors', accept: '*/*' },
    );
    expect(response.status).toBe(201);
    const body = JSON.parse(response.text) as { uploads: { name: string }[] };
    expect(body.uploads.map((upload) => upload.name)).toEqual(['cv.txt', 'photo one.png']);
  });
});
