// Every error POST /api/uploads can answer, with its status, and what each leaves behind: nothing.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  multipart,
  type Part,
  postMultipart,
  rawPost,
  startServer,
  storedNames,
  type TestServer,
  tempFiles,
} from '../fixtures/upload-server.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

async function expectError(response: Response, status: number, code: string): Promise<string> {
  const body = (await response.json()) as {
    statusCode: number;
    code: string;
    message: string;
    error: string;
  };
  expect({ status: response.status, statusCode: body.statusCode, code: body.code }).toEqual({
    status,
    statusCode: status,
    code,
  });
  expect(body.error).toEqual(expect.any(String));
  return body.message;
}

/** Nothing stored, nothing half-written, nothing listed. */
async function expectNothingKept(): Promise<void> {
  expect(await tempFiles(server.dir)).toEqual([]);
  expect(await storedNames(server.dir)).toEqual([]);
  const list = (await (await fetch(`${server.url}/api/uploads`)).json()) as { uploads: unknown[] };
  expect(list.uploads).toEqual([]);
}

const file = (data: Buffer | string, extra: Partial<Extract<Part, { filename: string }>> = {}): Part => ({
  name: 'file',
  filename: 'f.bin',
  data,
  ...extra,
});

describe('POST /api/uploads errors', () => {
  it('415 UPLOAD_NOT_MULTIPART for a JSON body', async () => {
    server = await startServer();
    const response = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"file":"x"}',
    });
    await expectError(response, 415, 'UPLOAD_NOT_MULTIPART');
  });

  it('415 UPLOAD_NOT_MULTIPART without a body at all', async () => {
    server = await startServer();
    await expectError(
      await fetch(`${server.url}/api/uploads`, { method: 'POST' }),
      415,
      'UPLOAD_NOT_MULTIPART',
    );
  });

  it('400 UPLOAD_NO_FILE for a form with fields only', async () => {
    server = await startServer();
    const response = await postMultipart(server.url, [{ name: 'size', value: '3' }]);
    await expectError(response, 400, 'UPLOAD_NO_FILE');
  });

  it('400 UPLOAD_NO_FILE for a form whose file input was left empty (filename="")', async () => {
    server = await startServer();
    const response = await postMultipart(server.url, [{ name: 'file', filename: '', data: '' }]);
    await expectError(response, 400, 'UPLOAD_NO_FILE');
  });

  it('400 UPLOAD_MALFORMED when the boundary parameter is missing', async () => {
    server = await startServer();
    const response = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data' },
      body: 'whatever',
    });
    await expectError(response, 400, 'UPLOAD_MALFORMED');
  });

  it('400 UPLOAD_MALFORMED for a body cut mid-part (request itself complete), leaving nothing behind', async () => {
    server = await startServer();
    const { body, contentType } = multipart([file(randomBytes(50_000))]);
    const cut = body.subarray(0, 30_000);
    const response = await rawPost(
      server.url,
      { 'content-type': contentType, 'content-length': cut.length },
      [cut],
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).code).toBe('UPLOAD_MALFORMED');
    await expectNothingKept();
  });

  it('400 UPLOAD_MALFORMED for a body that is not multipart at all', async () => {
    server = await startServer();
    const response = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=abc' },
      body: 'no delimiter anywhere in here',
    });
    await expectError(response, 400, 'UPLOAD_MALFORMED');
  });

  it('400 UPLOAD_MALFORMED past the form-field limit', async () => {
    server = await startServer({ MAX_FILES: '1' });
    // The limit is 3 × MAX_FILES + 8 (size, thumbnail and path per file, and a few more): 11 here.
    const fields = Array.from({ length: 12 }, (_, i) => ({ name: `f${i}`, value: 'x' }));
    const response = await postMultipart(server.url, [...fields, file('x')]);
    await expectError(response, 400, 'UPLOAD_MALFORMED');
  });

  it.each([
    ['a size that is not a number', [{ name: 'size', value: '12abc' }, file('x')], {}],
    [
      'a thumbnail that is not an image data URL',
      [{ name: 'thumbnail', value: 'javascript:alert(1)' }, file('x')],
      {},
    ],
    [
      'a thumbnail over 16 KiB',
      [{ name: 'thumbnail', value: `data:image/png;base64,${'A'.repeat(17 * 1024)}` }, file('x')],
      {},
    ],
    ['an X-Upload-Ref with a space', [file('x')], { 'x-upload-ref': 'has space' }],
    ['an X-Upload-Ref over 64 characters', [file('x')], { 'x-upload-ref': 'r'.repeat(65) }],
  ])('400 UPLOAD_INVALID_FIELD for %s', async (_case, parts, headers) => {
    server = await startServer();
    const response = await postMultipart(server.url, parts as Part[], headers as Record<string, string>);
    await expectError(response, 400, 'UPLOAD_INVALID_FIELD');
    await expectNothingKept();
  });

  it('400 UPLOAD_INVALID_FIELD for a bad listing limit or cursor', async () => {
    server = await startServer();
    await expectError(await fetch(`${server.url}/api/uploads?limit=0`), 400, 'UPLOAD_INVALID_FIELD');
    await expectError(await fetch(`${server.url}/api/uploads?before=zzz`), 400, 'UPLOAD_INVALID_FIELD');
  });

  it('413 UPLOAD_FILE_TOO_LARGE with the limit in words, and no bytes left behind', async () => {
    server = await startServer({ MAX_FILE_SIZE: '64KiB' });
    const response = await postMultipart(server.url, [file(randomBytes(1024 * 1024))]);
    const message = await expectError(response, 413, 'UPLOAD_FILE_TOO_LARGE');
    expect(message).toBe('File too large: the limit is 64 KiB');
    expect(response.headers.get('connection')).toBe('close');
    await expectNothingKept();
    // The server goes on serving.
    expect((await postMultipart(server.url, [file('small')])).status).toBe(201);
  });

  it('413 UPLOAD_FILE_TOO_LARGE up front when the size field announces too much', async () => {
    server = await startServer({ MAX_FILE_SIZE: '1KiB' });
    const response = await postMultipart(server.url, [{ name: 'size', value: '5000' }, file('x')]);
    await expectError(response, 413, 'UPLOAD_FILE_TOO_LARGE');
  });

  it('413 UPLOAD_TOO_MANY_FILES, keeping none of the request’s files', async () => {
    server = await startServer({ MAX_FILES: '2' });
    const response = await postMultipart(server.url, [file('1'), file('2'), file('3')]);
    const message = await expectError(response, 413, 'UPLOAD_TOO_MANY_FILES');
    expect(message).toBe('Too many files: the limit is 2 per request');
    await expectNothingKept();
  });

  it('415 UPLOAD_TYPE_NOT_ALLOWED outside ALLOWED_TYPES, all-or-nothing', async () => {
    server = await startServer({ ALLOWED_TYPES: 'image/*,application/pdf' });
    const response = await postMultipart(server.url, [
      file('png', { type: 'image/png' }),
      file('text', { type: 'text/plain' }),
    ]);
    const message = await expectError(response, 415, 'UPLOAD_TYPE_NOT_ALLOWED');
    expect(message).toContain('text/plain');
    await expectNothingKept();
    expect((await postMultipart(server.url, [file('%PDF', { type: 'application/pdf' })])).status).toBe(201);
  });

  it.each([
    ['fewer', '10'],
    ['more', '3'],
  ])('400 UPLOAD_SIZE_MISMATCH when the file has %s bytes than its size field', async (_case, size) => {
    server = await startServer();
    const response = await postMultipart(server.url, [{ name: 'size', value: size }, file('12345')]);
    await expectError(response, 400, 'UPLOAD_SIZE_MISMATCH');
    await expectNothingKept();
  });

  it('408 UPLOAD_IDLE_TIMEOUT when the client stops sending, with the partial file removed', async () => {
    server = await startServer({ UPLOAD_IDLE_TIMEOUT: '1000' });
    const { body, contentType } = multipart([file(randomBytes(100_000))]);
    const response = await rawPost(
      server.url,
      { 'content-type': contentType, 'content-length': body.length },
      [body.subarray(0, 60_000)],
      { end: false },
    );
    expect(response.status).toBe(408);
    expect(JSON.parse(response.body).code).toBe('UPLOAD_IDLE_TIMEOUT');
    expect(response.headers.connection).toBe('close');
    await expectNothingKept();
  });
});
