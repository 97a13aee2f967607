// GET /api/uploads?q=&type=&status= on a real server over HTTP: name substring (case-folded, NFKC),
// type prefix or exact type, status, combined, every page through the `before` cursor exactly once;
// bad values are 400 UPLOAD_INVALID_FIELD; the `path` field of a folder upload is stored sanitised
// and searchable.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Upload } from '../../server/uploads/upload.js';
import { seedUploads } from '../fixtures/seed-uploads.js';
import { postMultipart, startServer, type TestServer } from '../fixtures/upload-server.js';

const SEEDED = 600;
let server: TestServer;
let seeded: Upload[];

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'livedrop-search-'));
  seeded = await seedUploads(dir, SEEDED);
  server = await startServer({}, { dir });
}, 120_000);
afterAll(async () => {
  await server?.close();
});

async function list(query: Record<string, string>) {
  const response = await fetch(`${server.url}/api/uploads?${new URLSearchParams(query)}`);
  return {
    status: response.status,
    body: (await response.json()) as { uploads: Upload[]; next: string | null },
  };
}

/** Every page of a query: the uploads and each page's length. */
async function allPages(query: Record<string, string>) {
  const uploads: Upload[] = [];
  const sizes: number[] = [];
  let before: string | null = null;
  do {
    const { status, body } = await list({ ...query, ...(before && { before }) });
    expect(status).toBe(200);
    uploads.push(...body.uploads);
    sizes.push(body.uploads.length);
    before = body.next;
  } while (before);
  return { uploads, sizes };
}

describe('GET /api/uploads?q=&type=&status=', () => {
  it('q: a case-insensitive, Unicode-normalised name substring, newest first, every page once', async () => {
    // Seeded names: "Straße-NNNN.png" is every fifth upload (i % 5 === 3).
    const expected = seeded.filter((u) => u.name.startsWith('Straße-')).map((u) => u.id);
    for (const q of ['straße', 'STRASSE', 'ｓｔｒａｓｓｅ']) {
      const { uploads, sizes } = await allPages({ q, limit: '50' });
      expect(uploads.map((u) => u.id)).toEqual(expected);
      expect(sizes).toEqual([50, 50, 20]);
    }
  });

  it('q shorter than a trigram, and q matching nothing', async () => {
    const { uploads } = await allPages({ q: '9', limit: '200' });
    expect(uploads.map((u) => u.id)).toEqual(seeded.filter((u) => u.name.includes('9')).map((u) => u.id));
    const none = await list({ q: 'no such name' });
    expect(none.body).toEqual({ uploads: [], next: null });
  });

  it('type: a major type with its slash, or an exact type; combined with q', async () => {
    const images = await allPages({ type: 'image/', limit: '100' });
    expect(images.uploads.map((u) => u.id)).toEqual(
      seeded.filter((u) => u.type.startsWith('image/')).map((u) => u.id),
    );
    expect(images.sizes).toEqual([100, 100, 40]);
    const pdf = await allPages({ type: 'application/pdf', limit: '200' });
    expect(pdf.uploads.every((u) => u.type === 'application/pdf')).toBe(true);
    expect(pdf.uploads.length).toBe(SEEDED / 5);
    const both = await allPages({ type: 'image/', q: 'photo 05' });
    expect(both.uploads.map((u) => u.name)).toEqual(
      seeded.filter((u) => u.name.startsWith('Holiday Photo 05')).map((u) => u.name),
    );
  });

  it('status: completed lists everything, other states nothing (the index holds completed uploads)', async () => {
    const { uploads } = await allPages({ status: 'completed', limit: '200' });
    expect(uploads.length).toBe(SEEDED);
    expect((await list({ status: 'paused' })).body).toEqual({ uploads: [], next: null });
  });

  it('empty parameters are no filter', async () => {
    const { body } = await list({ q: '', type: '', status: '', limit: '3' });
    expect(body.uploads.map((u) => u.id)).toEqual(seeded.slice(0, 3).map((u) => u.id));
  });

  it('a cursor stays valid when the upload it names is deleted', async () => {
    const first = await list({ q: 'report', limit: '5' });
    const last = first.body.uploads.at(-1)!;
    expect((await fetch(`${server.url}/api/uploads/${last.id}`, { method: 'DELETE' })).status).toBe(204);
    const second = await list({ q: 'report', limit: '5', before: first.body.next! });
    const reports = seeded.filter((u) => u.name.startsWith('report-'));
    expect(second.body.uploads.map((u) => u.id)).toEqual(reports.slice(5, 10).map((u) => u.id));
    const again = await allPages({ q: 'report', limit: '200' });
    expect(again.uploads.map((u) => u.id)).not.toContain(last.id);
    expect(again.uploads.length).toBe(reports.length - 1);
  });

  it.each([
    [{ type: 'image' }, 'type'],
    [{ type: 'image/png; q=1' }, 'type'],
    [{ status: 'done' }, 'status'],
    [{ q: 'x'.repeat(1025) }, 'q'],
    [{ q: 'photo', before: 'not-a-cursor' }, 'before'],
    [{ q: 'photo', limit: '0' }, 'limit'],
  ])('400 UPLOAD_INVALID_FIELD for %j', async (query, field) => {
    const response = await fetch(`${server.url}/api/uploads?${new URLSearchParams(query)}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe('UPLOAD_INVALID_FIELD');
    expect(body.message).toContain(field);
  });

  it('400 when a filter is given twice', async () => {
    const response = await fetch(`${server.url}/api/uploads?q=a&q=b`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('UPLOAD_INVALID_FIELD');
  });
});

describe('the path field', () => {
  it('stores the relative path of a folder upload, sanitised, and finds it with q', async () => {
    const response = await postMultipart(server.url, [
      { name: 'path', value: '../Trip\\2024/./\u202Eday one.txt' },
      { name: 'file', filename: 'day one.txt', type: 'text/plain', data: 'a day' },
      { name: 'file', filename: 'loose.txt', type: 'text/plain', data: 'no path' },
    ]);
    expect(response.status).toBe(201);
    const [withPath, loose] = ((await response.json()) as { uploads: Upload[] }).uploads as [Upload, Upload];
    expect(withPath.path).toBe('Trip/2024/day one.txt');
    // The path applies to the next file only.
    expect(loose.path).toBeUndefined();
    const found = await list({ q: 'trip/2024' });
    expect(found.body.uploads.map((u) => u.id)).toEqual([withPath.id]);
  });

  it('400 UPLOAD_INVALID_FIELD for a path over 4096 characters', async () => {
    const response = await postMultipart(server.url, [
      { name: 'path', value: 'a/'.repeat(2100) },
      { name: 'file', filename: 'x.txt', data: 'x' },
    ]);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string; message: string }).message).toContain('path');
  });
});
