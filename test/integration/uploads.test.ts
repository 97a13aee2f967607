import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Upload } from '../../server/uploads/upload.js';
import {
  leaveInFlightLeftover,
  postMultipart,
  readStored,
  startServer,
  storedNames,
  type TestServer,
  tempFiles,
  writeStored,
} from '../fixtures/upload-server.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

async function upload(files: { name: string; data: Buffer; type?: string }[]): Promise<Upload[]> {
  const response = await postMultipart(
    server.url,
    files.flatMap((f) => [
      { name: 'size', value: String(f.data.length) },
      { name: 'file', filename: f.name, data: f.data, ...(f.type && { type: f.type }) },
    ]),
  );
  expect(response.status).toBe(201);
  return ((await response.json()) as { uploads: Upload[] }).uploads;
}

describe('POST /api/uploads', () => {
  it('201s with one stored file, byte-exact, with its sha256', async () => {
    server = await startServer();
    const data = randomBytes(300_000);
    const response = await postMultipart(
      server.url,
      [
        { name: 'size', value: String(data.length) },
        { name: 'thumbnail', value: 'data:image/png;base64,iVBORw0KGgo=' },
        { name: 'file', filename: 'photo.png', type: 'image/png', data },
      ],
      { 'x-upload-ref': 'batch-1.a_b' },
    );
    expect(response.status).toBe(201);
    const { uploads } = (await response.json()) as { uploads: Upload[] };
    expect(uploads).toHaveLength(1);
    const [stored] = uploads as [Upload];
    expect(stored).toMatchObject({
      ref: 'batch-1.a_b',
      name: 'photo.png',
      type: 'image/png',
      size: data.length,
      expected: data.length,
      status: 'completed',
      sha256: sha256(data),
      thumbnail: 'data:image/png;base64,iVBORw0KGgo=',
      url: `/api/uploads/${stored.id}/content`,
    });
    expect(stored.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Date.parse(stored.completedAt!)).toBeGreaterThanOrEqual(Date.parse(stored.createdAt));
    expect((await readStored(server.dir, stored.id)).equals(data)).toBe(true);
    expect(JSON.parse((await readStored(server.dir, `${stored.id}.json`)).toString())).toEqual(stored);
    expect(await tempFiles(server.dir)).toEqual([]);
  });

  it('201s with several files in one request, each byte-exact, fields applying to the next file only', async () => {
    server = await startServer();
    const a = randomBytes(70_000);
    const b = randomBytes(5);
    const c = Buffer.alloc(0);
    const response = await postMultipart(server.url, [
      { name: 'size', value: String(a.length) },
      { name: 'file', filename: 'a.bin', data: a },
      { name: 'file', filename: 'b.txt', type: 'text/plain', data: b },
      { name: 'note', value: 'ignored field' },
      { name: 'file', filename: 'empty', data: c },
    ]);
    expect(response.status).toBe(201);
    const { uploads } = (await response.json()) as { uploads: Upload[] };
    expect(uploads.map((u) => [u.name, u.size, u.expected, u.sha256])).toEqual([
      ['a.bin', a.length, a.length, sha256(a)],
      ['b.txt', b.length, null, sha256(b)],
      ['empty', 0, null, sha256(c)],
    ]);
    for (const [i, data] of [a, b, c].entries()) {
      expect((await readStored(server.dir, uploads[i]!.id)).equals(data)).toBe(true);
    }
  });

  it('stores files longer than the storage holds at once byte-exact (it pauses the request meanwhile)', async () => {
    // Over 1 MiB (the local writer's queue) and over two 5 MiB parts (S3's part buffer).
    server = await startServer();
    const a = randomBytes(11 * 1024 * 1024 + 3);
    const b = randomBytes(6 * 1024 * 1024);
    const uploads = await upload([
      { name: 'a.bin', data: a },
      { name: 'b.bin', data: b },
    ]);
    expect(uploads.map((u) => [u.size, u.sha256])).toEqual([
      [a.length, sha256(a)],
      [b.length, sha256(b)],
    ]);
    for (const [i, data] of [a, b].entries()) {
      expect((await readStored(server.dir, uploads[i]!.id)).equals(data)).toBe(true);
    }
  });

  it('stores no checksum with CHECKSUM=none', async () => {
    server = await startServer({ CHECKSUM: 'none' });
    const [stored] = await upload([{ name: 'x', data: randomBytes(1000) }]);
    expect(stored!.sha256).toBeUndefined();
    expect(stored!.status).toBe('completed');
  });

  it('stores hostile names safely: display-only, cleaned, never a path', async () => {
    server = await startServer();
    const long = `${'n'.repeat(300)}.jpeg`;
    const names = [
      '../../etc/passwd',
      'a\u0000b.txt',
      long,
      'invoice\u202Efdp.exe',
      '..',
      'C:\\x\\..\\y.doc',
    ];
    const results: string[] = [];
    for (const name of names) {
      const [stored] = await upload([{ name, data: Buffer.from(name) }]);
      results.push(stored!.name);
      expect((await readStored(server.dir, stored!.id)).toString()).toBe(name);
    }
    expect(results[0]).toBe('passwd');
    expect(results[1]).toBe('ab.txt');
    expect(Buffer.byteLength(results[2]!)).toBe(255);
    expect(results[2]!.endsWith('.jpeg')).toBe(true);
    expect(results[3]).toBe('invoicefdp.exe');
    expect(results[4]).toBe('file');
    expect(results[5]).toBe('y.doc');
    // Nothing was written outside UPLOAD_DIR's own files: ids and sidecars only.
    for (const entry of await storedNames(server.dir)) expect(entry).toMatch(/^[A-Za-z0-9_-]{22}(\.json)?$/);
  });

  it('stores an invalid declared type as application/octet-stream', async () => {
    server = await startServer();
    const [stored] = await upload([{ name: 'x', type: 'not a type', data: Buffer.from('x') }]);
    expect(stored!.type).toBe('application/octet-stream');
  });
});

describe('GET /api/uploads', () => {
  it('lists completed uploads newest first and pages with next/before', async () => {
    server = await startServer();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [stored] = await upload([{ name: `f${i}`, data: Buffer.from(String(i)) }]);
      ids.push(stored!.id);
    }
    const newestFirst = [...ids].reverse();
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const query: string = next ? `?limit=2&before=${next}` : '?limit=2';
      const page = (await (await fetch(`${server.url}/api/uploads${query}`)).json()) as {
        uploads: Upload[];
        next: string | null;
      };
      seen.push(...page.uploads.map((u) => u.id));
      next = page.next;
      pages++;
    } while (next);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);

    const all = (await (await fetch(`${server.url}/api/uploads`)).json()) as {
      uploads: Upload[];
      next: null;
    };
    expect(all.uploads.map((u) => u.id)).toEqual(newestFirst);
    expect(all.next).toBeNull();
  });

  it('keeps a cursor valid when the upload it points at is deleted', async () => {
    server = await startServer();
    for (let i = 0; i < 3; i++) await upload([{ name: `f${i}`, data: Buffer.from('x') }]);
    const first = (await (await fetch(`${server.url}/api/uploads?limit=1`)).json()) as {
      uploads: Upload[];
      next: string;
    };
    await fetch(`${server.url}/api/uploads/${first.uploads[0]!.id}`, { method: 'DELETE' });
    const second = (await (await fetch(`${server.url}/api/uploads?limit=5&before=${first.next}`)).json()) as {
      uploads: Upload[];
    };
    expect(second.uploads).toHaveLength(2);
  });

  it('GET /api/uploads/:id returns the upload, 404 UPLOAD_NOT_FOUND otherwise', async () => {
    server = await startServer();
    const [stored] = await upload([{ name: 'x', data: Buffer.from('x') }]);
    const found = await fetch(`${server.url}/api/uploads/${stored!.id}`);
    expect(await found.json()).toEqual(stored);
    const missing = await fetch(`${server.url}/api/uploads/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'UPLOAD_NOT_FOUND', statusCode: 404 });
  });
});

describe('GET /api/uploads/:id/content', () => {
  it('sends the bytes as an attachment with nosniff and a sandbox CSP', async () => {
    server = await startServer();
    const data = Buffer.from('<script>alert(1)</script>');
    const [stored] = await upload([{ name: 'é x.html', type: 'text/html', data }]);
    const response = await fetch(`${server.url}${stored!.url}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(data);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="_ x.html"; filename*=UTF-8''%C3%A9%20x.html`,
    );
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-length')).toBe(String(data.length));
  });

  it('shows raster images inline but never SVG', async () => {
    server = await startServer();
    const [png] = await upload([{ name: 'p.png', type: 'image/png', data: Buffer.from('png') }]);
    const [svg] = await upload([{ name: 's.svg', type: 'image/svg+xml', data: Buffer.from('<svg/>') }]);
    const pngResponse = await fetch(`${server.url}${png!.url}`);
    expect(pngResponse.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(pngResponse.headers.get('content-type')).toBe('image/png');
    const svgResponse = await fetch(`${server.url}${svg!.url}`);
    expect(svgResponse.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('answers a Range request with 206 and the slice, and an unsatisfiable one with 416', async () => {
    server = await startServer();
    const data = randomBytes(1000);
    const [stored] = await upload([{ name: 'r.bin', data }]);
    const url = `${server.url}${stored!.url}`;

    const middle = await fetch(url, { headers: { range: 'bytes=100-199' } });
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(Buffer.from(await middle.arrayBuffer())).toEqual(data.subarray(100, 200));

    const suffix = await fetch(url, { headers: { range: 'bytes=-10' } });
    expect(suffix.status).toBe(206);
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(data.subarray(990));

    const beyond = await fetch(url, { headers: { range: 'bytes=1000-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */1000');
  });

  it('404s for an unknown id', async () => {
    server = await startServer();
    const response = await fetch(`${server.url}/api/uploads/nope/content`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: string }).code).toBe('UPLOAD_NOT_FOUND');
  });
});

describe('DELETE /api/uploads/:id', () => {
  it('204s, removes the bytes and sidecar, and 404s afterwards', async () => {
    server = await startServer();
    const [stored] = await upload([{ name: 'x', data: Buffer.from('x') }]);
    const response = await fetch(`${server.url}/api/uploads/${stored!.id}`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await storedNames(server.dir)).toEqual([]);
    expect((await fetch(`${server.url}/api/uploads/${stored!.id}`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/uploads/${stored!.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('restart', () => {
  it('rebuilds the index from sidecars, skips a corrupt one and sweeps .tmp', async () => {
    server = await startServer();
    const dir = server.dir;
    const stored = await upload([
      { name: 'one', data: Buffer.from('1') },
      { name: 'two', data: Buffer.from('22') },
    ]);
    await server.app.close();

    await writeStored(dir, 'BBBBBBBBBBBBBBBBBBBBBB', 'x');
    await writeStored(dir, 'BBBBBBBBBBBBBBBBBBBBBB.json', '{"id": "BBBBBBBBBBBBBBBBBBBBBB", broken');
    await leaveInFlightLeftover(dir);

    const first = server;
    const restarted = await startServer({}, { dir });
    server = { ...restarted, close: () => first.close() }; // removes the directory
    try {
      const list = (await (await fetch(`${restarted.url}/api/uploads`)).json()) as { uploads: Upload[] };
      expect(list.uploads.map((u) => u.id).sort()).toEqual(stored.map((u) => u.id).sort());
      expect(await tempFiles(dir)).toEqual([]);
      const content = await fetch(`${restarted.url}/api/uploads/${stored[1]!.id}/content`);
      expect(await content.text()).toBe('22');
    } finally {
      await restarted.app.close();
    }
  });
});
