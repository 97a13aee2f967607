// The library's filters (search text and type chip), how they travel in the page's URL (?q=&type=,
// so a search can be shared and survives a reload), and whether a live upload belongs in the current
// result. The server answers the listing (GET /api/uploads?q=&type=); this decides only for uploads
// that arrive through the live feed, with the same folding as server/uploads/upload-search.ts.
import type { Upload } from './api-types.js';

export interface LibraryFilters {
  /** Search text as typed (trimmed). */
  q: string;
  /** A major type with its slash (`image/`), an exact type (`application/pdf`), or '' for all. */
  type: string;
}

export const noFilters: LibraryFilters = { q: '', type: '' };

/** The type chips, in display order: the value of `type=` and the locale key of its label. */
export const TYPE_CHIPS = [
  { type: '', label: 'all' },
  { type: 'image/', label: 'images' },
  { type: 'video/', label: 'videos' },
  { type: 'audio/', label: 'audio' },
  { type: 'text/', label: 'text' },
  { type: 'application/pdf', label: 'pdf' },
] as const;

/** Same steps as the server's foldForSearch: NFKC, then upper- and lower-casing (full case folding). */
export function foldForSearch(text: string): string {
  return text.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

export function filtersFromUrl(href: string): LibraryFilters {
  const params = new URL(href).searchParams;
  const type = params.get('type') ?? '';
  return {
    q: (params.get('q') ?? '').trim(),
    type: TYPE_CHIPS.some((chip) => chip.type === type) ? type : '',
  };
}

/** The page's URL with the filters in its query (other parameters, ?api= and ?token=, kept). */
export function urlWithFilters(href: string, filters: LibraryFilters): string {
  const url = new URL(href);
  for (const [name, value] of [
    ['q', filters.q],
    ['type', filters.type],
  ] as const) {
    if (value) url.searchParams.set(name, value);
    else url.searchParams.delete(name);
  }
  return url.href;
}

export const hasFilters = (filters: LibraryFilters) => filters.q !== '' || filters.type !== '';

export function matchesFilters(upload: Upload, filters: LibraryFilters): boolean {
  if (filters.q && !foldForSearch(upload.path ?? upload.name).includes(foldForSearch(filters.q)))
    return false;
  if (!filters.type) return true;
  const type = upload.type.toLowerCase();
  return filters.type.endsWith('/') ? type.startsWith(filters.type) : type === filters.type;
}

/** The listing's query string for these filters (limit and cursor added by the caller). */
export function filterParams(filters: LibraryFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.type) params.set('type', filters.type);
  return params;
}
