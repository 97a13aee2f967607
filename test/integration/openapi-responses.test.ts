// Real answers of a real server, checked against GET /api/openapi.json: every answer's status must be
// documented for its operation, its media type listed, and a JSON body valid against the document's
// schema (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
import { createHash } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  multipart,
  postMultipart,
  rawPost,
  startServer,
  type TestServer,
} from '../fixtures/upload-server.js';

const TOKEN = 'open-sesame';
const auth = { authorization: `Bearer ${TOKEN}` };

let server: TestServer;
let document: { paths: Record<string, Record<string, Operation>> };
let ajv: Ajv2020;
const checked: string[] = [];

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

beforeAll(async () => {
  server = await startServer({
    AUTH_TOKEN: TOKEN,
    MAX_FILE_SIZE: '1KiB',
    ALLOWED_TYPES: 'text/*,image/png',
  });
  const response = await fetch(`${server.url}/api/openapi.json`);
  document = await response.json();
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi');
  await check('GET', response, JSON.stringify(document));
});

afterAll(() => server.close());

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** The document's path template that matches a concrete path (`/api/uploads/abc` → `/api/uploads/{id}`). */
function templateOf(path: string): string {
  const template = Object.keys(document.paths).find((candidate) =>
    new RegExp(`^${candidate.replace(/\{\w+\}/g, '[^/]+').replaceAll('.', '\\.')}$`).test(path),
  );
  if (!template) throw new Error(`no path of the document matches ${path}`);
  return template;
}

/** Checks one real answer against the document; `body` is the text already read from it. */
async function check(method: string, response: Response, body?: string) {
  const url = new URL(response.url);
  const template = templateOf(url.pathname);
  const op = document.paths[template]![method.toLowerCase()];
  expect(op, `${method} ${template} is described`).toBeDefined();
  const status = String(response.status);
  const described = op!.responses[status];
  expect(described, `${method} ${template} → ${status} is described`).toBeDefined();
  checked.push(`${method} ${template} ${status}`);
  const text = body ?? (method === 'HEAD' ? '' : await response.text());
  const content = described!.content;
  if (!content || method === 'HEAD') {
    expect(text, `${method} ${template} → ${status} has no body`).toBe('');
    return;
  }
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const key = mediaType in content ? mediaType : '*/*';
  expect(content[key], `${method} ${template} → ${status} sends ${mediaType}`).toBeDefined();
  if (key === 'application/json') {
    validate(
      pointer('paths', template, method.toLowerCase(), 'responses', status, 'content', key, 'schema'),
      JSON.parse(text),
    );
  }
}

function validate(schemaPointer: string, value: unknown) {
  const validator = ajv.compile({ $ref: `openapi#/${schemaPointer}` });
  const valid = validator(value);
  expect(validator.errors ?? [], JSON.stringify(value).slice(0, 300)).toEqual([]);
  expect(valid).toBe(true);
}

const get = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: { ...auth, ...(init.headers as Record<string, string>) },
  });

describe('real responses match the OpenAPI document', () => {
  let id: string;
  const bytes = 'hello, openapi\n';

  it('service routes: health, config, the document itself', async () => {
    await check('GET', await fetch(`${server.url}/api/health`));
    await check('GET', await fetch(`${server.url}/api/config`));
    await check('HEAD', await fetch(`${server.url}/api/health`, { method: 'HEAD' }));
  });

  it('POST /api/uploads: 201, and 401, 400, 413, 415, 403 as documented', async () => {
    const created = await postMultipart(
      server.url,
      [{ name: 'file', filename: 'a.txt', type: 'text/plain', data: bytes }],
      auth,
    );
    expect(created.status).toBe(201);
    const text = await created.text();
    await check('POST', created, text);
    id = JSON.parse(text).uploads[0].id;

    const refusals = [
      await postMultipart(server.url, [{ name: 'file', filename: 'a.txt', data: 'x' }]),
      await postMultipart(server.url, [{ name: 'size', value: '3' }], auth),
      await postMultipart(
        server.url,
        [{ name: 'file', filename: 'big.txt', type: 'text/plain', data: 'x'.repeat(2048) }],
        auth,
      ),
      await postMultipart(
        server.url,
        [{ name: 'file', filename: 'a.pdf', type: 'application/pdf', data: 'x' }],
        auth,
      ),
      await fetch(`${server.url}/api/uploads`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: 'x',
      }),
      await postMultipart(server.url, [{ name: 'file', filename: 'a.txt', data: 'x' }], {
        ...auth,
        origin: 'https://evil.example',
      }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([401, 400, 413, 415, 415, 403]);
    for (const response of refusals) await check('POST', response);
  });

  it('listing and reading an upload: 200, 400, 404', async () => {
    await check('GET', await get('/api/uploads?limit=10'));
    await check('HEAD', await get('/api/uploads', { method: 'HEAD' }));
    const badLimit = await get('/api/uploads?limit=0');
    expect(badLimit.status).toBe(400);
    await check('GET', badLimit);
    await check('GET', await get(`/api/uploads/${id}`));
    const missing = await get('/api/uploads/AAAAAAAAAAAAAAAAAAAAAA');
    expect(missing.status).toBe(404);
    await check('GET', missing);
    await check('GET', await fetch(`${server.url}/api/uploads`));
  });

  it('content: 200, 206, 416 and HEAD', async () => {
    const whole = await get(`/api/uploads/${id}/content`);
    const body = await whole.text();
    expect(createHash('sha256').update(body).digest('hex')).toBe(whole.headers.get('etag')?.slice(1, -1));
    await check('GET', whole, body);
    const part = await get(`/api/uploads/${id}/content`, { headers: { range: 'bytes=0-4' } });
    expect(part.status).toBe(206);
    await check('GET', part);
    const outside = await get(`/api/uploads/${id}/content`, { headers: { range: 'bytes=999-' } });
    expect(outside.status).toBe(416);
    await check('GET', outside);
    await check('HEAD', await get(`/api/uploads/${id}/content`, { method: 'HEAD' }));
  });

  it('feeds: SSE 200 with a snapshot, WebSocket 101 with a snapshot, 426, long-poll 200 and 400', async () => {
    const controller = new AbortController();
    const sse = await get('/api/events', { signal: controller.signal });
    expect(sse.status).toBe(200);
    const reader = sse.body!.getReader();
    let text = '';
    while (!text.includes('\ndata: ')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    await check('GET', sse, '');
    const data = /\ndata: (.*)\n/.exec(text)![1]!;
    validate(pointer('components', 'schemas', 'LiveEvent'), JSON.parse(data));

    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`, { headers: auth });
    const [message, upgradeStatus] = await new Promise<[string, number]>((resolve, reject) => {
      let status = 0;
      ws.on('upgrade', (res) => {
        status = res.statusCode!;
      });
      ws.on('message', (raw) => resolve([String(raw), status]));
      ws.on('error', reject);
    });
    ws.close();
    expect(document.paths['/api/events']!.get!.responses[String(upgradeStatus)]).toBeDefined();
    validate(pointer('components', 'schemas', 'LiveEvent'), JSON.parse(message));

    const oldVersion = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`, {
      headers: auth,
      protocolVersion: 8,
    });
    const refusedStatus = await new Promise<number>((resolve) => {
      oldVersion.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      oldVersion.on('error', () => {});
    });
    expect(refusedStatus).toBe(426);
    expect(document.paths['/api/events']!.get!.responses['426']).toBeDefined();

    const badSince = await get('/api/events?since=soon');
    expect(badSince.status).toBe(400);
    await check('GET', badSince);
    await check('GET', await get('/api/events/poll'));
    await check('GET', await get('/api/events/poll?since=0&timeout=0'));
    const badTimeout = await get('/api/events/poll?since=0&timeout=later');
    expect(badTimeout.status).toBe(400);
    await check('GET', badTimeout);
  });

  it('tus: OPTIONS 204, POST 201, HEAD 200, PATCH 204 and 409, 412 without Tus-Resumable, DELETE 204, then 410', async () => {
    const tus = { ...auth, 'tus-resumable': '1.0.0' };
    await check('OPTIONS', await fetch(`${server.url}/api/tus`, { method: 'OPTIONS' }));
    const created = await fetch(`${server.url}/api/tus`, {
      method: 'POST',
      headers: {
        ...tus,
        'upload-length': '10',
        'upload-metadata': `filename ${btoa('t.txt')},filetype ${btoa('text/plain')}`,
      },
    });
    expect(created.status).toBe(201);
    await check('POST', created);
    const path = new URL(created.headers.get('location')!, server.url).pathname;
    await check('OPTIONS', await fetch(`${server.url}${path}`, { method: 'OPTIONS' }));
    await check('HEAD', await fetch(`${server.url}${path}`, { method: 'HEAD', headers: tus }));
    const append = (offset: string, body: string) =>
      fetch(`${server.url}${path}`, {
        method: 'PATCH',
        headers: { ...tus, 'content-type': 'application/offset+octet-stream', 'upload-offset': offset },
        body,
      });
    const patched = await append('0', 'hello');
    expect(patched.status).toBe(204);
    await check('PATCH', patched);
    const mismatch = await append('0', 'again');
    expect(mismatch.status).toBe(409);
    await check('PATCH', mismatch);
    const noVersion = await fetch(`${server.url}${path}`, { method: 'HEAD', headers: auth });
    expect(noVersion.status).toBe(412);
    await check('HEAD', noVersion);
    const overridden = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { ...tus, 'x-http-method-override': 'HEAD' },
    });
    expect(overridden.status).toBe(200);
    await check('POST', overridden);
    await check('DELETE', await fetch(`${server.url}${path}`, { method: 'DELETE', headers: tus }));
    const gone = await fetch(`${server.url}${path}`, { method: 'HEAD', headers: tus });
    expect(gone.status).toBe(410);
    await check('HEAD', gone);
  });

  it('operations: the webhook queue and /metrics, 200', async () => {
    await check('GET', await get('/api/webhooks/queue'));
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    await check('GET', metrics);
  });

  it('embedding: upload tokens 201 and 403, form navigations 303 and an HTML 201, the element module', async () => {
    const issued = await fetch(`${server.url}/api/upload-tokens`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ origin: server.url, maxFiles: 3 }),
    });
    expect(issued.status).toBe(201);
    const body = await issued.text();
    await check('POST', issued, body);
    const { token } = JSON.parse(body) as { token: string };
    const scoped = { authorization: `Bearer ${token}`, origin: server.url };
    const minted = await fetch(`${server.url}/api/upload-tokens`, {
      method: 'POST',
      headers: { ...scoped, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(minted.status).toBe(403);
    await check('POST', minted);
    const listed = await get('/api/uploads', { headers: scoped });
    expect(listed.status).toBe(403);
    await check('GET', listed);

    // fetch() always says Sec-Fetch-Mode: cors; a browser form's navigation is sent with node:http.
    const file = { name: 'file', filename: 'form.txt', type: 'text/plain', data: 'x' };
    for (const parts of [[{ name: 'redirect', value: `${server.url}/thanks` }, file], [file]]) {
      const { body: payload, contentType } = multipart(parts);
      const answer = await rawPost(
        server.url,
        { ...scoped, 'content-type': contentType, 'sec-fetch-mode': 'navigate' },
        [payload],
      );
      const headers = new Headers(answer.headers as Record<string, string>);
      const response = new Response(answer.status === 303 ? null : answer.body, {
        status: answer.status,
        headers,
      });
      Object.defineProperty(response, 'url', { value: `${server.url}/api/uploads` });
      await check('POST', response, answer.body);
    }
    expect(checked.filter((line) => line.startsWith('POST /api/uploads 303'))).toHaveLength(1);

    const module = await fetch(`${server.url}/embed/livedrop-upload.js`);
    await check('GET', module);
  });

  it('DELETE: 204, then 404', async () => {
    await check('DELETE', await get(`/api/uploads/${id}`, { method: 'DELETE' }));
    const again = await get(`/api/uploads/${id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    await check('DELETE', again);
  });

  it('checked an answer of every operation of the document', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const answered = new Set(checked.map((line) => line.split(' ').slice(0, 2).join(' ')));
    // HEAD twins of GETs are the GET's answer without its body; one of them is checked above.
    const missing = operations.filter((op) => !answered.has(op) && !op.startsWith('HEAD '));
    expect(missing).toEqual([]);
  });
});
