// Library listing and search latency at 100,000 uploads in the index (issue 14): the p50/p99 time of
// one GET /api/uploads page (limit 50) as answered by the index, for each kind of request the library
// page makes, against a peer measured in the same run: the obvious implementation, a linear scan over
// the same newest-first uploads with the same precomputed folded names and the same binary-searched
// cursor, that walks until it has a page. The difference is only how candidates are chosen (posting
// lists vs. every upload), which is what "without a full scan per request" means.
// Usage: tsx bench/library-search.ts [--quick] [--uploads N] [--requests N]
import { parseArgs } from 'node:util';
import type { Upload } from '../server/uploads/upload.js';
import { foldForSearch, type SearchRequest, UploadSearch } from '../server/uploads/upload-search.js';
import { benchOptions, emit, log, median, round3 } from './lib/report.js';

const BENCH = 'library-search';
const { quick } = benchOptions();
const { values } = parseArgs({
  options: { uploads: { type: 'string' }, requests: { type: 'string' } },
  strict: false,
});
const count = Number(values.uploads ?? 100_000);
const requests = Number(values.requests ?? (quick ? 300 : 2000));
const LIMIT = 50;

// Names like people's: a few common words, camera names, dates and numbers, and some non-ASCII.
const WORDS = [
  'invoice',
  'report',
  'photo',
  'IMG',
  'DSC',
  'scan',
  'contract',
  'Holiday',
  'backup',
  'notes',
  'draft',
  'final',
  'Straße',
  'Über',
  'naïve',
  '東京',
  'résumé',
  'data',
  'log',
  'slides',
];
const EXTENSIONS: [string, string][] = [
  ['jpg', 'image/jpeg'],
  ['png', 'image/png'],
  ['pdf', 'application/pdf'],
  ['txt', 'text/plain'],
  ['zip', 'application/zip'],
  ['mp4', 'video/mp4'],
  ['csv', 'text/csv'],
  ['heic', 'image/heic'],
];

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;

function makeUploads(n: number): Upload[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: n }, (_, i) => {
    const [ext, type] = pick(EXTENSIONS);
    const name = `${pick(WORDS)}-${pick(WORDS).toLowerCase()} ${String(Math.floor(random() * 1e6)).padStart(6, '0')}.${ext}`;
    const at = new Date(start + i * 1000).toISOString();
    const id = `${String(i).padStart(11, '0')}${'x'.repeat(11)}`;
    return {
      id,
      name,
      type,
      size: 1,
      expected: 1,
      status: 'completed',
      createdAt: at,
      completedAt: at,
      url: `/api/uploads/${id}/content`,
    };
  });
}

/** The peer: every upload, newest first, with its folded name; a page is a walk from the cursor. */
class LinearScan {
  readonly #entries: { upload: Upload; folded: string; key: string }[];
  constructor(uploads: readonly Upload[]) {
    this.#entries = uploads.map((upload) => ({
      upload,
      folded: foldForSearch(upload.name),
      key: `${upload.completedAt}\u0000${upload.id}`,
    }));
  }
  search({ limit, before, q, type }: SearchRequest): { uploads: Upload[]; next: string | null } {
    const needle = q ? foldForSearch(q) : '';
    let end = this.#entries.length;
    if (before) {
      const dot = before.indexOf('.');
      const key = `${new Date(Number(before.slice(0, dot))).toISOString()}\u0000${before.slice(dot + 1)}`;
      let lo = 0;
      while (lo < end) {
        const mid = (lo + end) >>> 1;
        if (this.#entries[mid]!.key < key) lo = mid + 1;
        else end = mid;
      }
    }
    const found: Upload[] = [];
    for (let i = end - 1; i >= 0 && found.length <= limit; i--) {
      const entry = this.#entries[i]!;
      if (needle && !entry.folded.includes(needle)) continue;
      if (type && !(type.endsWith('/') ? entry.upload.type.startsWith(type) : entry.upload.type === type))
        continue;
      found.push(entry.upload);
    }
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      uploads: page,
      next: found.length > limit && last ? `${Date.parse(last.completedAt!)}.${last.id}` : null,
    };
  }
}

interface Searcher {
  search(request: SearchRequest): { uploads: Upload[]; next: string | null };
}

const uploads = makeUploads(count);
const middle = uploads[Math.floor(count / 2)]!;
const deepCursor = `${Date.parse(middle.completedAt!)}.${middle.id}`;
/** Each kind of request, as a generator of varied requests. */
const kinds: Record<string, () => SearchRequest> = {
  // The first page, and a page half-way down (the cursor seek).
  list: () => ({ limit: LIMIT }),
  deepPage: () => ({ limit: LIMIT, before: deepCursor }),
  // A common word: many matches, a page is found near the top either way.
  qCommon: () => ({ limit: LIMIT, q: pick(['photo', 'report', 'invoice', 'straße']) }),
  // A specific name (six digits): one or two matches anywhere, the peer scans everything.
  qRare: () => ({ limit: LIMIT, q: pick(uploads).name.split(' ')[1]!.slice(0, 6) }),
  // Under three characters: no trigram, both walk (matches are dense at that length).
  qShort: () => ({ limit: LIMIT, q: pick(['ph', 'ü', 'é', '東']) }),
  typePrefix: () => ({ limit: LIMIT, type: pick(['image/', 'video/', 'text/']) }),
  // A word within a type: the shortest of the two lists.
  typeAndQ: () => ({ limit: LIMIT, type: 'video/', q: pick(['naïve', 'slides', 'backup']) }),
  // A word that is rare in a common type: both conditions broad, the intersection small.
  qAbsent: () => ({ limit: LIMIT, q: 'no such file' }),
};

function measure(searcher: Searcher): Record<string, { p50: number; p99: number }> {
  const out: Record<string, { p50: number; p99: number }> = {};
  for (const [kind, next] of Object.entries(kinds)) {
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const request = next();
      const start = process.hrtime.bigint();
      searcher.search(request);
      times.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    times.sort((a, b) => a - b);
    out[kind] = { p50: median(times), p99: times[Math.floor(times.length * 0.99)]! };
  }
  return out;
}

const heapBefore = process.memoryUsage().heapUsed;
let t = performance.now();
const index = new UploadSearch();
for (const upload of uploads) index.add(upload);
const buildMs = performance.now() - t;
globalThis.gc?.();
const indexMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
t = performance.now();
const scan = new LinearScan(uploads);
const scanBuildMs = performance.now() - t;

// Same answers, or the comparison means nothing.
for (const next of Object.values(kinds)) {
  const request = next();
  const a = index.search(request).uploads.map((u) => u.id);
  const b = scan.search(request).uploads.map((u) => u.id);
  if (a.join() !== b.join()) throw new Error(`index and scan disagree on ${JSON.stringify(request)}`);
}

log(
  `${BENCH}: ${count} uploads, ${requests} requests per kind, limit ${LIMIT}; index built in ${round3(buildMs)} ms`,
);
// Interleaved twice, so drift on a shared machine hits both alike; the second pass is reported.
measure(scan);
measure(index);
const scanResult = measure(scan);
const indexResult = measure(index);
const row = (
  target: string,
  result: Record<string, { p50: number; p99: number }>,
  extra: Record<string, number | boolean>,
) => {
  const figures: Record<string, number> = {};
  for (const [kind, { p50, p99 }] of Object.entries(result)) {
    figures[`${kind}P50Us`] = round3(p50);
    figures[`${kind}P99Us`] = round3(p99);
  }
  emit({ bench: BENCH, target, uploads: count, ...extra, ...figures });
};
row('linear-scan', scanResult, { baseline: true, buildMs: round3(scanBuildMs) });
row('upload-search', indexResult, { buildMs: round3(buildMs), heapMiB: round3(indexMiB) });
