import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Upload } from '../../../server/uploads/upload.js';
import { foldForSearch, isTypeFilter, UploadSearch } from '../../../server/uploads/upload-search.js';

let counter = 0;
function upload(name: string, type = 'text/plain', extra: Partial<Upload> = {}): Upload {
  counter++;
  const at = new Date(Date.UTC(2026, 0, 1) + counter * 1000).toISOString();
  return {
    id: `id${String(counter).padStart(20, '0')}`,
    name,
    type,
    size: 1,
    expected: 1,
    status: 'completed',
    createdAt: at,
    completedAt: at,
    ...extra,
  };
}

/** Every page of a search, following `next` to the end. */
function allPages(search: UploadSearch, filters: Parameters<UploadSearch['search']>[0]): Upload[][] {
  const pages: Upload[][] = [];
  let before: string | undefined;
  do {
    const page = search.search({ ...filters, before });
    pages.push(page.uploads);
    before = page.next ?? undefined;
  } while (before);
  return pages;
}

describe('foldForSearch', () => {
  it.each([
    ['Straße', 'STRASSE'],
    ['ﬁle', 'FILE'],
    ['ＡＢＣ', 'abc'],
    ['ΣΊΣΥΦΟΣ', 'σίσυφος'],
    ['e\u0301', 'É'],
  ])('%j and %j fold alike', (a, b) => {
    expect(foldForSearch(a)).toBe(foldForSearch(b));
  });
});

describe('UploadSearch', () => {
  it('finds names by case-insensitive, normalised substring, newest first', () => {
    const search = new UploadSearch();
    const a = upload('Holiday-Photo.JPG', 'image/jpeg');
    const b = upload('notes.txt');
    const c = upload('photo ＰＨＯＴＯ.png', 'image/png');
    for (const u of [a, b, c]) search.add(u);
    expect(search.search({ limit: 10, q: 'photo' }).uploads).toEqual([c, a]);
    expect(search.search({ limit: 10, q: 'PHOTO.p' }).uploads).toEqual([c]);
    expect(search.search({ limit: 10, q: 'o' }).uploads).toEqual([c, b, a]);
    expect(search.search({ limit: 10, q: 'missing' }).uploads).toEqual([]);
  });

  it('matches the folder path of files dropped in a folder', () => {
    const search = new UploadSearch();
    const a = upload('a.jpg', 'image/jpeg', { path: 'Trip/2024/a.jpg' });
    const b = upload('trip.txt');
    search.add(a);
    search.add(b);
    expect(search.search({ limit: 10, q: 'trip/20' }).uploads).toEqual([a]);
    expect(search.search({ limit: 10, q: 'trip' }).uploads).toEqual([b, a]);
  });

  it('filters by type prefix, exact type and status, combined with q', () => {
    const search = new UploadSearch();
    const png = upload('cat.png', 'image/png');
    const jpg = upload('cat.jpg', 'image/jpeg');
    const txt = upload('cat.txt');
    const paused = upload('cat-video.mp4', 'video/mp4', { status: 'paused', completedAt: undefined });
    for (const u of [png, jpg, txt, paused]) search.add(u);
    expect(search.search({ limit: 10, type: 'image/' }).uploads).toEqual([jpg, png]);
    expect(search.search({ limit: 10, type: 'IMAGE/PNG' }).uploads).toEqual([png]);
    expect(search.search({ limit: 10, type: 'image/', q: 'jpg' }).uploads).toEqual([jpg]);
    expect(search.search({ limit: 10, status: 'paused' }).uploads).toEqual([paused]);
    expect(search.search({ limit: 10, status: 'completed', q: 'cat' }).uploads).toEqual([txt, jpg, png]);
  });

  it('pages with the before cursor: every match exactly once, next null on the last page', () => {
    const search = new UploadSearch();
    const all = Array.from({ length: 95 }, (_, i) =>
      upload(
        i % 3 === 0 ? `report-${i}.pdf` : `other-${i}.bin`,
        i % 3 === 0 ? 'application/pdf' : 'application/octet-stream',
      ),
    );
    for (const u of all) search.add(u);
    const pages = allPages(search, { limit: 10, q: 'report' });
    const expected = all.filter((u) => u.name.startsWith('report')).reverse();
    expect(pages.flat()).toEqual(expected);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 10, 2]);
    // Exactly a page's worth of matches: no empty page after it.
    expect(allPages(search, { limit: 16, type: 'application/pdf' }).map((p) => p.length)).toEqual([16, 16]);
  });

  it('keeps cursors valid when the upload they name is removed, and forgets removed uploads', () => {
    const search = new UploadSearch();
    const all = Array.from({ length: 6 }, (_, i) => upload(`file-${i}.txt`));
    for (const u of all) search.add(u);
    const first = search.search({ limit: 2, q: 'file' });
    search.remove(first.uploads[1]!.id);
    search.remove(all[3]!.id);
    expect(search.search({ limit: 10, q: 'file', before: first.next! }).uploads).toEqual([
      all[2],
      all[1],
      all[0],
    ]);
    expect(search.size).toBe(4);
  });

  it('agrees with a plain filter over every upload (random names, queries and removals)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'A', 'ß', 's', 'S', '.', 'ﬁ', 'f', 'i');
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: alphabet, maxLength: 8 }), { maxLength: 40 }),
        fc.string({ unit: alphabet, minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 7 }),
        (names, q, limit) => {
          const search = new UploadSearch();
          const uploads = names.map((name) => upload(name || 'x'));
          for (const u of uploads) search.add(u);
          const kept = uploads.filter((_, i) => i % 4 !== 1);
          for (const [i, u] of uploads.entries()) if (i % 4 === 1) search.remove(u.id);
          const expected = kept.filter((u) => foldForSearch(u.name).includes(foldForSearch(q))).reverse();
          expect(allPages(search, { limit, q }).flat()).toEqual(expected);
        },
      ),
    );
  });
});

describe('isTypeFilter', () => {
  it.each([
    ['image/', true],
    ['image/png', true],
    ['application/vnd.ms-excel', true],
    ['image', false],
    ['/png', false],
    ['image/png; q=1', false],
  ])('%j → %j', (value, ok) => {
    expect(isTypeFilter(value)).toBe(ok);
  });
});
