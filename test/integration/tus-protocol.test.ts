// tus 1.0.0 core and extensions in raw HTTP: every status code and header the spec names, one per test.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTusUpload,
  digest,
  headTus,
  metadataValue,
  OFFSET_STREAM,
  patchTus,
  sha256Hex,
  TUS,
  tusRequest,
} from '../fixtures/tus-http.js';
import { startServer, type TestServer } from '../fixtures/upload-server.js';

const MAX = 1024 * 1024;
let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    MAX_FILE_SIZE: String(MAX),
    ALLOWED_TYPES: 'text/*,application/octet-stream',
  });
});
afterAll(async () => {
  await server?.close();
});

const endpoint = () => `${server.url}/api/tus`;
const codeOf = (body: string) => (JSON.parse(body) as { code: string }).code;

describe('OPTIONS /api/tus', () => {
  it('204 with Tus-Version, Tus-Extension, Tus-Max-Size = MAX_FILE_SIZE and Tus-Checksum-Algorithm', async () => {
    const response = await tusRequest(endpoint(), 'OPTIONS', { 'Tus-Resumable': '0.2.2' });
    expect(response.status).toBe(204);
    expect(response.headers['tus-version']).toBe('1.0.0');
    expect(response.headers['tus-extension']!.split(',')).toEqual([
      'creation',
      'creation-with-upload',
      'creation-defer-length',
      'termination',
      'expiration',
      'checksum',
      'concatenation',
    ]);
    expect(response.headers['tus-max-size']).toBe(String(MAX));
    expect(response.headers['tus-checksum-algorithm']).toBe('sha1,sha256,md5');
  });
});

describe('Tus-Resumable', () => {
  it.each(['POST', 'HEAD', 'PATCH', 'DELETE'])(
    '412 with Tus-Version for %s with Tus-Resumable 0.2.2',
    async (method) => {
      const url = method === 'POST' ? endpoint() : await createTusUpload(server.url, 5);
      const response = await tusRequest(url, method, { 'Tus-Resumable': '0.2.2', 'Upload-Length': 5 });
      expect(response.status).toBe(412);
      expect(response.headers['tus-version']).toBe('1.0.0');
      if (method !== 'POST') expect((await headTus(url)).headers['upload-offset']).toBe('0');
    },
  );

  it('412 for a request without Tus-Resumable', async () => {
    const response = await tusRequest(endpoint(), 'POST', { 'Upload-Length': 5 });
    expect(response.status).toBe(412);
  });

  it('Tus-Resumable: 1.0.0 on every answer, errors too', async () => {
    const ok = await tusRequest(endpoint(), 'POST', { ...TUS, 'Upload-Length': 1 });
    const refused = await tusRequest(endpoint(), 'POST', { ...TUS });
    expect(ok.headers['tus-resumable']).toBe('1.0.0');
    expect(refused.headers['tus-resumable']).toBe('1.0.0');
  });
});

describe('POST /api/tus (creation)', () => {
  it('201 with an absolute Location under /api/tus/ and Upload-Expires', async () => {
    const response = await tusRequest(endpoint(), 'POST', { ...TUS, 'Upload-Length': 10 });
    expect(response.status).toBe(201);
    expect(response.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/tus\/[A-Za-z0-9_-]{22}$/);
    expect(Date.parse(response.headers['upload-expires']!)).toBeGreaterThan(Date.now());
  });

  it('400 TUS_LENGTH_REQUIRED without Upload-Length or Upload-Defer-Length', async () => {
    const response = await tusRequest(endpoint(), 'POST', TUS);
    expect(response.status).toBe(400);
    expect(codeOf(response.body)).toBe('TUS_LENGTH_REQUIRED');
  });

  it('400 TUS_INVALID_HEADER for Upload-Length -1 or Upload-Defer-Length 2', async () => {
    for (const headers of [{ 'Upload-Length': '-1' }, { 'Upload-Defer-Length': '2' }] as Record<
      string,
      string
    >[]) {
      const response = await tusRequest(endpoint(), 'POST', { ...TUS, ...headers });
      expect(response.status).toBe(400);
      expect(codeOf(response.body)).toBe('TUS_INVALID_HEADER');
    }
  });

  it('413 UPLOAD_FILE_TOO_LARGE for Upload-Length above MAX_FILE_SIZE', async () => {
    const response = await tusRequest(endpoint(), 'POST', { ...TUS, 'Upload-Length': MAX + 1 });
    expect(response.status).toBe(413);
    expect(codeOf(response.body)).toBe('UPLOAD_FILE_TOO_LARGE');
  });

  it('415 UPLOAD_TYPE_NOT_ALLOWED when filetype is not in ALLOWED_TYPES', async () => {
    const response = await tusRequest(endpoint(), 'POST', {
      ...TUS,
      'Upload-Length': 5,
      'Upload-Metadata': `filetype ${metadataValue('image/svg+xml')}`,
    });
    expect(response.status).toBe(415);
    expect(codeOf(response.body)).toBe('UPLOAD_TYPE_NOT_ALLOWED');
  });

  it('400 TUS_INVALID_HEADER for Upload-Metadata that is not base64', async () => {
    const response = await tusRequest(endpoint(), 'POST', {
      ...TUS,
      'Upload-Length': 5,
      'Upload-Metadata': 'a b c',
    });
    expect(response.status).toBe(400);
  });

  it('creation-with-upload: 201 with Upload-Offset for the bytes sent with the POST', async () => {
    const data = Buffer.from('hello world');
    const response = await tusRequest(
      endpoint(),
      'POST',
      { ...TUS, ...OFFSET_STREAM, 'Upload-Length': 20, 'Content-Length': data.length },
      [data],
    );
    expect(response.status).toBe(201);
    expect(response.headers['upload-offset']).toBe(String(data.length));
    expect((await headTus(response.headers.location!)).headers['upload-offset']).toBe(String(data.length));
  });

  it('an Upload-Length 0 upload is complete at creation and listed', async () => {
    const url = await createTusUpload(server.url, 0, {
      'Upload-Metadata': `filename ${metadataValue('empty.txt')}`,
    });
    const id = url.split('/').at(-1)!;
    const listed = (await (await fetch(`${server.url}/api/uploads`)).json()) as { uploads: { id: string }[] };
    expect(listed.uploads.map((u) => u.id)).toContain(id);
  });
});

describe('HEAD /api/tus/:id', () => {
  it('200 with Upload-Offset 0, Upload-Length, Cache-Control: no-store and Upload-Metadata byte-exact', async () => {
    const metadata = `filename ${metadataValue('Grüße, 日本 🎉.txt')},filetype ${metadataValue('text/plain')},flag`;
    const url = await createTusUpload(server.url, 7, { 'Upload-Metadata': metadata });
    const response = await headTus(url);
    expect(response.status).toBe(200);
    expect(response.headers['upload-offset']).toBe('0');
    expect(response.headers['upload-length']).toBe('7');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['upload-metadata']).toBe(metadata);
    expect(Date.parse(response.headers['upload-expires']!)).toBeGreaterThan(Date.now());
  });

  it('404 without Upload-Offset for an unknown upload', async () => {
    const response = await headTus(`${endpoint()}/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(response.status).toBe(404);
    expect(response.headers['upload-offset']).toBeUndefined();
  });

  it('200 with Upload-Offset = Upload-Length once complete', async () => {
    const url = await createTusUpload(server.url, 3);
    expect((await patchTus(url, 0, Buffer.from('abc'))).status).toBe(204);
    const response = await headTus(url);
    expect(response.status).toBe(200);
    expect(response.headers['upload-offset']).toBe('3');
    expect(response.headers['upload-length']).toBe('3');
  });
});

describe('PATCH /api/tus/:id', () => {
  it('204 with the new Upload-Offset and Upload-Expires', async () => {
    const url = await createTusUpload(server.url, 10);
    const response = await patchTus(url, 0, Buffer.from('01234'));
    expect(response.status).toBe(204);
    expect(response.headers['upload-offset']).toBe('5');
    expect(Date.parse(response.headers['upload-expires']!)).toBeGreaterThan(Date.now());
  });

  it('409 TUS_OFFSET_MISMATCH when Upload-Offset is not the stored offset, and nothing is written', async () => {
    const url = await createTusUpload(server.url, 10);
    await patchTus(url, 0, Buffer.from('01234'));
    const response = await patchTus(url, 3, Buffer.from('xxxxx'));
    expect(response.status).toBe(409);
    expect(codeOf(response.body)).toBe('TUS_OFFSET_MISMATCH');
    expect((await headTus(url)).headers['upload-offset']).toBe('5');
  });

  it('415 TUS_NOT_OFFSET_STREAM for a body that is not application/offset+octet-stream', async () => {
    const url = await createTusUpload(server.url, 10);
    const response = await tusRequest(
      url,
      'PATCH',
      { ...TUS, 'Content-Type': 'application/json', 'Upload-Offset': 0 },
      [Buffer.from('{}')],
    );
    expect(response.status).toBe(415);
    expect(codeOf(response.body)).toBe('TUS_NOT_OFFSET_STREAM');
  });

  it('400 TUS_INVALID_HEADER without Upload-Offset', async () => {
    const url = await createTusUpload(server.url, 10);
    const response = await tusRequest(url, 'PATCH', { ...TUS, ...OFFSET_STREAM }, [Buffer.from('x')]);
    expect(response.status).toBe(400);
  });

  it('404 for a PATCH to an unknown upload', async () => {
    const response = await patchTus(`${endpoint()}/AAAAAAAAAAAAAAAAAAAAAA`, 0, Buffer.from('x'));
    expect(response.status).toBe(404);
  });

  it('413 TUS_LENGTH_EXCEEDED for a body past Upload-Length; the bytes up to the length are kept', async () => {
    const url = await createTusUpload(server.url, 4);
    const response = await patchTus(url, 0, Buffer.from('abcdefgh'));
    expect(response.status).toBe(413);
    expect(codeOf(response.body)).toBe('TUS_LENGTH_EXCEEDED');
    expect((await headTus(url)).headers['upload-offset']).toBe('4');
  });

  it('403 TUS_UPLOAD_COMPLETE for a PATCH to a completed upload', async () => {
    const url = await createTusUpload(server.url, 1);
    await patchTus(url, 0, Buffer.from('a'));
    const response = await patchTus(url, 1, Buffer.from('b'));
    expect(response.status).toBe(403);
    expect(codeOf(response.body)).toBe('TUS_UPLOAD_COMPLETE');
  });

  it('POST with X-HTTP-Method-Override: PATCH is a PATCH (204)', async () => {
    const url = await createTusUpload(server.url, 4);
    const response = await tusRequest(
      url,
      'POST',
      { ...TUS, ...OFFSET_STREAM, 'X-HTTP-Method-Override': 'PATCH', 'Upload-Offset': 0 },
      [Buffer.from('abcd')],
    );
    expect(response.status).toBe(204);
    expect(response.headers['upload-offset']).toBe('4');
  });
});

describe('checksum', () => {
  it.each(['sha1', 'sha256', 'md5'])('204 for a body matching its Upload-Checksum %s', async (algorithm) => {
    const url = await createTusUpload(server.url, 10);
    const data = Buffer.from('01234');
    const response = await patchTus(url, 0, data, {
      'Upload-Checksum': `${algorithm} ${digest(algorithm, data)}`,
    });
    expect(response.status).toBe(204);
    expect(response.headers['upload-offset']).toBe('5');
  });

  it('460 TUS_CHECKSUM_MISMATCH for a body that does not match; the chunk is discarded', async () => {
    const url = await createTusUpload(server.url, 10);
    await patchTus(url, 0, Buffer.from('01234'));
    const response = await patchTus(url, 5, Buffer.from('56789'), {
      'Upload-Checksum': `sha1 ${digest('sha1', Buffer.from('other'))}`,
    });
    expect(response.status).toBe(460);
    expect(codeOf(response.body)).toBe('TUS_CHECKSUM_MISMATCH');
    expect((await headTus(url)).headers['upload-offset']).toBe('5');
    // The same chunk sent right completes the upload with the right bytes and sha256.
    expect((await patchTus(url, 5, Buffer.from('56789'))).status).toBe(204);
    const id = url.split('/').at(-1)!;
    const content = Buffer.from(await (await fetch(`${server.url}/api/uploads/${id}/content`)).arrayBuffer());
    expect(content.toString()).toBe('0123456789');
  });

  it('400 TUS_CHECKSUM_UNKNOWN for an algorithm the server does not support', async () => {
    const url = await createTusUpload(server.url, 10);
    const response = await patchTus(url, 0, Buffer.from('x'), { 'Upload-Checksum': 'crc32 AAAA' });
    expect(response.status).toBe(400);
    expect(codeOf(response.body)).toBe('TUS_CHECKSUM_UNKNOWN');
  });
});

describe('creation-defer-length', () => {
  it('HEAD says Upload-Defer-Length: 1 until a PATCH states Upload-Length, which completes the upload', async () => {
    const url = await createTusUpload(server.url, null);
    const before = await headTus(url);
    expect(before.headers['upload-defer-length']).toBe('1');
    expect(before.headers['upload-length']).toBeUndefined();
    expect((await patchTus(url, 0, Buffer.from('abc'))).status).toBe(204);
    const last = await patchTus(url, 3, Buffer.from('de'), { 'Upload-Length': 5 });
    expect(last.status).toBe(204);
    const after = await headTus(url);
    expect(after.headers['upload-length']).toBe('5');
    expect(after.headers['upload-offset']).toBe('5');
  });
});

describe('termination', () => {
  it('DELETE 204, then HEAD and PATCH 410 TUS_UPLOAD_GONE', async () => {
    const url = await createTusUpload(server.url, 10);
    await patchTus(url, 0, Buffer.from('abc'));
    expect((await tusRequest(url, 'DELETE', TUS)).status).toBe(204);
    expect((await headTus(url)).status).toBe(410);
    const patched = await patchTus(url, 3, Buffer.from('d'));
    expect(patched.status).toBe(410);
    expect(codeOf(patched.body)).toBe('TUS_UPLOAD_GONE');
  });

  it('POST with X-HTTP-Method-Override: DELETE terminates (204)', async () => {
    const url = await createTusUpload(server.url, 10);
    expect((await tusRequest(url, 'POST', { ...TUS, 'X-HTTP-Method-Override': 'DELETE' })).status).toBe(204);
    expect((await headTus(url)).status).toBe(410);
  });
});

describe('completion', () => {
  it('a finished upload is listed with the sanitised filename, its type and the exact sha256 over many PATCHes', async () => {
    const data = randomBytes(300_000);
    const url = await createTusUpload(server.url, data.length, {
      'Upload-Metadata': `filename ${metadataValue('../ré\u202Eport.txt')},filetype ${metadataValue('text/plain')}`,
    });
    for (let offset = 0; offset < data.length; offset += 65_536) {
      const response = await patchTus(url, offset, data.subarray(offset, offset + 65_536));
      expect(response.status).toBe(204);
    }
    const id = url.split('/').at(-1)!;
    const { uploads } = (await (await fetch(`${server.url}/api/uploads`)).json()) as {
      uploads: { id: string; name: string; type: string; sha256: string; size: number; kind: string }[];
    };
    const upload = uploads.find((u) => u.id === id)!;
    expect(upload).toMatchObject({
      name: 'réport.txt',
      type: 'text/plain',
      size: data.length,
      kind: 'resumable',
    });
    expect(upload.sha256).toBe(sha256Hex(data));
    const content = Buffer.from(await (await fetch(`${server.url}/api/uploads/${id}/content`)).arrayBuffer());
    expect(content.equals(data)).toBe(true);
  });
});

describe('concatenation', () => {
  it('a final upload of two partial uploads is one listed file with both parts in order; the parts are not listed', async () => {
    const a = randomBytes(1000);
    const b = randomBytes(500);
    const partA = await createTusUpload(server.url, a.length, { 'Upload-Concat': 'partial' });
    const partB = await createTusUpload(server.url, b.length, { 'Upload-Concat': 'partial' });
    expect((await headTus(partA)).headers['upload-concat']).toBe('partial');
    await patchTus(partB, 0, b);
    await patchTus(partA, 0, a);
    const final = await tusRequest(endpoint(), 'POST', {
      ...TUS,
      'Upload-Concat': `final;${new URL(partA).pathname} ${partB}`,
      'Upload-Metadata': `filename ${metadataValue('joined.bin')}`,
    });
    expect(final.status).toBe(201);
    const head = await headTus(final.headers.location!);
    expect(head.headers['upload-offset']).toBe(String(a.length + b.length));
    const id = final.headers.location!.split('/').at(-1)!;
    const { uploads } = (await (await fetch(`${server.url}/api/uploads`)).json()) as {
      uploads: { id: string; sha256: string }[];
    };
    const ids = uploads.map((u) => u.id);
    expect(ids).toContain(id);
    expect(ids).not.toContain(partA.split('/').at(-1));
    expect(uploads.find((u) => u.id === id)!.sha256).toBe(sha256Hex(Buffer.concat([a, b])));
  });

  it('400 TUS_CONCAT_INVALID for a final upload naming an unfinished partial upload', async () => {
    const part = await createTusUpload(server.url, 10, { 'Upload-Concat': 'partial' });
    const response = await tusRequest(endpoint(), 'POST', { ...TUS, 'Upload-Concat': `final;${part}` });
    expect(response.status).toBe(400);
    expect(codeOf(response.body)).toBe('TUS_CONCAT_INVALID');
  });

  it('403 TUS_UPLOAD_COMPLETE for a PATCH to a final upload', async () => {
    const part = await createTusUpload(server.url, 1, { 'Upload-Concat': 'partial' });
    await patchTus(part, 0, Buffer.from('x'));
    const final = await tusRequest(endpoint(), 'POST', { ...TUS, 'Upload-Concat': `final;${part}` });
    const response = await patchTus(final.headers.location!, 1, Buffer.from('y'));
    expect(response.status).toBe(403);
  });
});
