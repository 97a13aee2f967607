// Search and filters for GET /api/uploads?q=&type=&status= (DESIGN.md §8), answered from memory
// without a scan of every upload per request. Each upload is held once as an entry with its name
// folded for matching (NFKC + case fold, see foldForSearch), and referenced from sorted posting lists:
//   - one per trigram of the folded name (a 3+ character query picks the shortest list of its trigrams),
//   - one per media type and one per major type ("image/"),
//   - one per status.
// A request takes the shortest list that its filters select, binary-searches the `before` cursor in
// it, and walks towards older entries checking the remaining conditions until it has a page (plus
// one, to know whether there is a next page). Lists are kept in list order (oldest first), so a new
// upload, the common case, is an append.
import { cursorKey, sortKey, sortKeyCursor } from './list-cursor.js';
import type { Upload, UploadStatus } from './upload.js';

export interface SearchFilters {
  /** Substring of the name (or of the folder path), matched after foldForSearch on both sides. */
  q?: string | undefined;
  /** A media type (`image/png`) or a major type ending in a slash (`image/`). */
  type?: string | undefined;
  status?: UploadStatus | undefined;
}

export interface SearchRequest extends SearchFilters {
  limit: number;
  /** The `next` cursor of the previous page. */
  before?: string | undefined;
}

export interface SearchPage {
  uploads: Upload[];
  next: string | null;
}

interface Entry {
  upload: Upload;
  /** Order key: "<completedAt or createdAt>\0<id>" (ISO 8601 strings sort by time). */
  key: string;
  folded: string;
}

const GRAM = 3;

/**
 * Unicode-normalised, case-insensitive form of a name: NFKC (so "ﬁle" matches "file" and full-width
 * "ＡＢＣ" matches "abc"), then upper- and lower-casing, which folds like Unicode full case folding in
 * the cases that matter for names ("Straße" matches "STRASSE", "ΣΊΣΥΦΟΣ" matches "σίσυφος"). The web
 * UI uses the same steps (web/search-match.ts) to decide whether a live upload belongs in a result.
 */
export function foldForSearch(text: string): string {
  return text.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

/** What a search matches for an upload: the folder path when there is one (it ends with the name). */
export const searchableText = (upload: Upload) => upload.path ?? upload.name;

function grams(folded: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + GRAM <= folded.length; i++) out.add(folded.slice(i, i + GRAM));
  return out;
}

/** Index of the first entry whose key is ≥ key. */
function lowerBound(list: readonly Entry[], key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(list: Entry[], entry: Entry): void {
  const last = list.at(-1);
  if (!last || last.key < entry.key) list.push(entry);
  else list.splice(lowerBound(list, entry.key), 0, entry);
}

function removeSorted(list: Entry[], entry: Entry): void {
  const at = lowerBound(list, entry.key);
  if (list[at] === entry) list.splice(at, 1);
}

export class UploadSearch {
  readonly #byId = new Map<string, Entry>();
  readonly #all: Entry[] = [];
  readonly #grams = new Map<string, Entry[]>();
  readonly #types = new Map<string, Entry[]>();
  readonly #statuses = new Map<string, Entry[]>();

  get size(): number {
    return this.#byId.size;
  }

  /** Adds an upload, or replaces the entry of one with the same id (a status change, say). */
  add(upload: Upload): void {
    this.remove(upload.id);
    const entry: Entry = { upload, key: sortKey(upload), folded: foldForSearch(searchableText(upload)) };
    for (const list of this.#listsOf(entry)) insertSorted(list, entry);
    this.#byId.set(upload.id, entry);
  }

  remove(id: string): void {
    const entry = this.#byId.get(id);
    if (!entry) return;
    this.#byId.delete(id);
    for (const list of this.#listsOf(entry)) removeSorted(list, entry);
    // Empty posting lists are left in their maps: a name's trigrams come back with the next similar name.
  }

  /** Every list an entry belongs in (recomputed rather than stored: ~30 references per upload saved). */
  #listsOf(entry: Entry): Entry[][] {
    const lists = [this.#all];
    for (const gram of grams(entry.folded)) lists.push(listOf(this.#grams, gram));
    const type = entry.upload.type.toLowerCase();
    lists.push(listOf(this.#types, type));
    const slash = type.indexOf('/');
    if (slash > 0) lists.push(listOf(this.#types, type.slice(0, slash + 1)));
    lists.push(listOf(this.#statuses, entry.upload.status));
    return lists;
  }

  /** Newest first, `limit` at most, older than `before`; `next` is null when nothing older matches. */
  search({ limit, before, q, type, status }: SearchRequest): SearchPage {
    const needle = q ? foldForSearch(q) : '';
    const wantedType = type?.toLowerCase();
    const candidates: Entry[][] = [this.#all];
    if (needle.length >= GRAM) for (const gram of grams(needle)) candidates.push(this.#grams.get(gram) ?? []);
    if (wantedType) candidates.push(this.#types.get(wantedType) ?? []);
    if (status) candidates.push(this.#statuses.get(status) ?? []);
    const list = candidates.reduce((shortest, next) => (next.length < shortest.length ? next : shortest));

    const matches = (entry: Entry) =>
      (!needle || entry.folded.includes(needle)) &&
      (!wantedType || typeMatches(entry.upload.type.toLowerCase(), wantedType)) &&
      (!status || entry.upload.status === status);

    const found: Entry[] = [];
    let i = before === undefined ? list.length : lowerBound(list, cursorKey(before));
    while (--i >= 0 && found.length <= limit) {
      const entry = list[i]!;
      if (matches(entry)) found.push(entry);
    }
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      uploads: page.map((entry) => entry.upload),
      next: found.length > limit && last ? sortKeyCursor(last.upload) : null,
    };
  }
}

function listOf(map: Map<string, Entry[]>, key: string): Entry[] {
  const list = map.get(key);
  if (list) return list;
  const created: Entry[] = [];
  map.set(key, created);
  return created;
}

function typeMatches(type: string, wanted: string): boolean {
  return wanted.endsWith('/') ? type.startsWith(wanted) : type === wanted;
}

/** `type=` as accepted by the API: `major/` or `major/minor`, token characters only (RFC 9110 §8.3.1). */
export const isTypeFilter = (value: string) =>
  /^[A-Za-z0-9!#$&^_.+-]{1,127}\/(?:[A-Za-z0-9!#$&^_.+-]{1,127})?$/.test(value);
