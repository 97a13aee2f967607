import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldForSearch as serverFold } from '../../../server/uploads/upload-search.js';
import type { Upload } from '../../../web/api-types.js';
import { filtersFromUrl, foldForSearch, matchesFilters, urlWithFilters } from '../../../web/search-match.js';

const upload = (name: string, type: string, path?: string): Upload => ({
  id: 'x',
  name,
  type,
  size: 1,
  expected: 1,
  status: 'completed',
  createdAt: '2026-01-01T00:00:00.000Z',
  ...(path && { path }),
});

describe('search-match', () => {
  it('folds exactly as the server does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (text) => {
        expect(foldForSearch(text)).toBe(serverFold(text));
      }),
    );
  });

  it('matches name (or folder path) and type like the server', () => {
    expect(matchesFilters(upload('Straße.png', 'image/png'), { q: 'STRASSE', type: 'image/' })).toBe(true);
    expect(matchesFilters(upload('a.png', 'image/png', 'Trip/a.png'), { q: 'trip/', type: '' })).toBe(true);
    expect(matchesFilters(upload('a.pdf', 'application/pdf'), { q: '', type: 'image/' })).toBe(false);
    expect(matchesFilters(upload('a.pdf', 'application/pdf'), { q: '', type: 'application/pdf' })).toBe(true);
  });

  it('round-trips the filters through the URL, keeping ?api= and ?token=', () => {
    const href = urlWithFilters('http://h/?api=http://x:1&token=t', { q: 'a b', type: 'image/' });
    expect(new URL(href).searchParams.get('token')).toBe('t');
    expect(filtersFromUrl(href)).toEqual({ q: 'a b', type: 'image/' });
    expect(filtersFromUrl(urlWithFilters(href, { q: '', type: '' }))).toEqual({ q: '', type: '' });
    // A type that is not a chip is ignored.
    expect(filtersFromUrl('http://h/?type=evil').type).toBe('');
  });
});
