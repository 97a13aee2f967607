import { describe, expect, it } from 'vitest';
import type { FeedEvent, Upload } from '../../../web/api-types.js';
import { applyFeedEvent, emptyFeedState, type FeedState } from '../../../web/feed-state.js';
import { LibraryModel } from '../../../web/library-model.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const completed = (id: string, s: number, name = `${id}.txt`): Upload => ({
  id,
  name,
  type: 'text/plain',
  size: 1,
  expected: 1,
  status: 'completed',
  createdAt: at(s),
  completedAt: at(s),
  url: `/api/uploads/${id}/content`,
});
const ids = (model: LibraryModel) => model.items.map((u) => u.id);

/** Applies feed events through feed-state.ts, as main.ts does, and hands each to the model. */
function feed(model: LibraryModel, events: FeedEvent[], state: FeedState = emptyFeedState): FeedState {
  for (const event of events) {
    const result = applyFeedEvent(state, event);
    state = result.state;
    if (result.kind === 'applied') model.applyFeed(event, state);
  }
  return state;
}

describe('LibraryModel', () => {
  it('joins pages in order and knows when every page is loaded', () => {
    const model = new LibraryModel();
    expect(model.nextCursor).toBeUndefined();
    model.addPage([completed('c', 3), completed('b', 2)], '2.b');
    expect(model.nextCursor).toBe('2.b');
    model.addPage([completed('a', 1)], null);
    expect(model.nextCursor).toBeNull();
    expect(ids(model)).toEqual(['c', 'b', 'a']);
  });

  it('puts uploads in progress first, then a completion where it sorts, without duplicates', () => {
    const model = new LibraryModel();
    model.addPage([completed('b', 2), completed('a', 1)], '1.a');
    let state = feed(model, [{ type: 'snapshot', seq: 1, uploads: [completed('b', 2)], watchers: 1 }]);
    const moving: Upload = {
      ...completed('new', 10),
      status: 'uploading',
      completedAt: undefined,
      url: undefined,
    };
    state = feed(model, [{ type: 'upload.started', seq: 2, upload: moving }], state);
    expect(ids(model)).toEqual(['new', 'b', 'a']);
    feed(model, [{ type: 'upload.completed', seq: 3, upload: completed('new', 10) }], state);
    expect(ids(model)).toEqual(['new', 'b', 'a']);
    expect(model.items[0]!.status).toBe('completed');
  });

  it('leaves a completion older than everything loaded to a later page', () => {
    const model = new LibraryModel();
    model.addPage([completed('c', 30), completed('b', 20)], '20.b');
    feed(model, [{ type: 'snapshot', seq: 1, uploads: [completed('old', 5)], watchers: 1 }]);
    expect(ids(model)).toEqual(['c', 'b']);
  });

  it('removes a deleted upload wherever it came from', () => {
    const model = new LibraryModel();
    model.addPage([completed('b', 2), completed('a', 1)], null);
    const state = feed(model, [{ type: 'snapshot', seq: 1, uploads: [], watchers: 1 }]);
    feed(model, [{ type: 'upload.deleted', seq: 2, upload: { id: 'a' } }], state);
    expect(ids(model)).toEqual(['b']);
    expect(model.get('a')).toBeUndefined();
  });

  it('with filters, takes only matching live uploads, and starts over from the first page', () => {
    const model = new LibraryModel();
    model.addPage([completed('a', 1)], null);
    model.setFilters({ q: 'straße', type: '' });
    expect(ids(model)).toEqual([]);
    expect(model.nextCursor).toBeUndefined();
    model.addPage([], null);
    feed(model, [
      { type: 'snapshot', seq: 1, uploads: [], watchers: 1 },
      { type: 'upload.completed', seq: 2, upload: completed('x', 5, 'STRASSE map.png') },
      { type: 'upload.completed', seq: 3, upload: completed('y', 6, 'other.png') },
    ]);
    expect(ids(model)).toEqual(['x']);
  });
});
