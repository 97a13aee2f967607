import { describe, expect, it } from 'vitest';
import type { FeedEvent, Upload } from '../../../web/api-types.js';
import { parseFeedEvent } from '../../../web/api-types.js';
import { applyFeedEvent, emptyFeedState, type FeedState } from '../../../web/feed-state.js';

const upload = (id: string, changes: Partial<Upload> = {}): Upload => ({
  id,
  name: `${id}.bin`,
  type: 'application/octet-stream',
  size: 0,
  expected: 1000,
  status: 'uploading',
  createdAt: `2026-11-22T02:00:0${id.length}.000Z`,
  ...changes,
});

function applyAll(events: FeedEvent[], state: FeedState = emptyFeedState): FeedState {
  for (const event of events) state = applyFeedEvent(state, event).state;
  return state;
}

const snapshot: FeedEvent = {
  type: 'snapshot',
  seq: 10,
  uploads: [upload('a', { status: 'completed', size: 1000, sha256: 'ff' }), upload('bb', { size: 100 })],
  watchers: 2,
};

describe('applyFeedEvent', () => {
  it('takes a snapshot whole, newest upload first', () => {
    const state = applyAll([snapshot]);
    expect(state.seq).toBe(10);
    expect(state.watchers).toBe(2);
    expect([...state.uploads.keys()]).toEqual(['bb', 'a']);
  });

  it('puts a new upload first when it is the newest, and in its place when its clock was behind', () => {
    const state = applyAll([
      snapshot,
      { type: 'upload.started', seq: 11, upload: upload('ccc') },
      { type: 'upload.started', seq: 12, upload: upload('dddd', { createdAt: '2026-11-22T02:00:01.500Z' }) },
    ]);
    expect([...state.uploads.keys()]).toEqual(['ccc', 'bb', 'dddd', 'a']);
  });

  it('ignores events that come before any snapshot', () => {
    const result = applyFeedEvent(emptyFeedState, { type: 'watchers', seq: 3, count: 9 });
    expect(result).toMatchObject({ kind: 'ignored', reason: 'before-snapshot' });
    expect(result.state.watchers).toBe(0);
  });

  it('applies started, progress, completed in seq order', () => {
    const state = applyAll([
      snapshot,
      { type: 'upload.started', seq: 11, upload: upload('ccc') },
      { type: 'upload.progress', seq: 12, upload: upload('ccc', { size: 400 }) },
      {
        type: 'upload.completed',
        seq: 13,
        upload: upload('ccc', {
          size: 1000,
          status: 'completed',
          sha256: 'abc',
          url: '/api/uploads/ccc/content',
        }),
      },
    ]);
    expect(state.seq).toBe(13);
    expect(state.uploads.get('ccc')).toMatchObject({ status: 'completed', size: 1000, sha256: 'abc' });
    expect([...state.uploads.keys()][0]).toBe('ccc');
  });

  it('drops duplicates and stale events (replayed after a since= reconnect)', () => {
    const state = applyAll([
      snapshot,
      { type: 'upload.progress', seq: 11, upload: upload('bb', { size: 500 }) },
    ]);
    const duplicate = applyFeedEvent(state, {
      type: 'upload.progress',
      seq: 11,
      upload: upload('bb', { size: 500 }),
    });
    expect(duplicate).toMatchObject({ kind: 'ignored', reason: 'duplicate' });
    const stale = applyFeedEvent(state, {
      type: 'upload.aborted',
      seq: 9,
      upload: upload('bb', { status: 'aborted' }),
    });
    expect(stale.kind).toBe('ignored');
    expect(stale.state.uploads.get('bb')?.status).toBe('uploading');
    expect(stale.state).toBe(state);
  });

  it('applies an event after a jump in seq (progress coalesced for a slow watcher)', () => {
    const state = applyAll([snapshot]);
    const result = applyFeedEvent(state, {
      type: 'upload.progress',
      seq: 15,
      upload: upload('bb', { size: 900 }),
    });
    expect(result.kind).toBe('applied');
    expect(result.state.seq).toBe(15);
    expect(result.state.uploads.get('bb')?.size).toBe(900);
    expect(applyFeedEvent(result.state, { type: 'watchers', seq: 14, count: 9 }).kind).toBe('ignored');
  });

  it('never lets stored bytes go backwards on progress', () => {
    const state = applyAll([
      snapshot,
      { type: 'upload.progress', seq: 11, upload: upload('bb', { size: 700 }) },
      { type: 'upload.progress', seq: 12, upload: upload('bb', { size: 650 }) },
    ]);
    expect(state.uploads.get('bb')?.size).toBe(700);
  });

  it('keeps a finished upload finished when a late progress event follows', () => {
    const state = applyAll([
      snapshot,
      { type: 'upload.aborted', seq: 11, upload: upload('bb', { size: 300, status: 'aborted' }) },
      { type: 'upload.progress', seq: 12, upload: upload('bb', { size: 400 }) },
    ]);
    expect(state.uploads.get('bb')).toMatchObject({ status: 'aborted', size: 300 });
    expect(state.seq).toBe(12);
  });

  it('removes deleted uploads and counts watchers', () => {
    const state = applyAll([
      snapshot,
      { type: 'upload.deleted', seq: 11, upload: { id: 'a' } },
      { type: 'watchers', seq: 12, count: 4 },
    ]);
    expect(state.uploads.has('a')).toBe(false);
    expect(state.watchers).toBe(4);
  });

  it('records failures with their status', () => {
    const state = applyAll([
      snapshot,
      {
        type: 'upload.failed',
        seq: 11,
        upload: upload('bb', { status: 'failed' }),
        error: { code: 'STORAGE_FULL', message: 'full' },
      },
    ]);
    expect(state.uploads.get('bb')).toMatchObject({ status: 'failed', failure: 'full' });
  });

  it('replaces everything with a later snapshot, even one with a lower seq (a restarted server)', () => {
    const before = applyAll([snapshot, { type: 'upload.started', seq: 11, upload: upload('ccc') }]);
    const after = applyAll(
      [{ type: 'snapshot', seq: 2, uploads: [upload('a', { status: 'completed' })], watchers: 1 }],
      before,
    );
    expect(after.seq).toBe(2);
    expect([...after.uploads.keys()]).toEqual(['a']);
    expect(applyFeedEvent(after, { type: 'watchers', seq: 3, count: 2 }).kind).toBe('applied');
  });

  it('does not modify the state it was given', () => {
    const state = applyAll([snapshot]);
    applyFeedEvent(state, { type: 'upload.deleted', seq: 11, upload: { id: 'a' } });
    expect(state.uploads.has('a')).toBe(true);
    expect(state.seq).toBe(10);
  });
});

describe('resumable uploads in the feed state', () => {
  it('shows a paused upload as paused, then uploading again on progress, never shrinking', () => {
    const state = applyAll([
      snapshot,
      {
        type: 'upload.paused',
        seq: 11,
        upload: upload('bb', { size: 400, status: 'paused', expiresAt: '2026-11-23T00:00:00.000Z' }),
      },
    ]);
    expect(state.uploads.get('bb')).toMatchObject({ status: 'paused', size: 400 });
    const resumed = applyAll(
      [{ type: 'upload.progress', seq: 12, upload: upload('bb', { size: 500 }) }],
      state,
    );
    expect(resumed.uploads.get('bb')).toMatchObject({ status: 'uploading', size: 500 });
  });

  it('parses upload.paused and upload.expired', () => {
    for (const type of ['upload.paused', 'upload.expired']) {
      expect(parseFeedEvent(JSON.stringify({ type, seq: 5, upload: upload('x') }))).toMatchObject({ type });
    }
  });
});

describe('parseFeedEvent', () => {
  it('accepts the protocol messages', () => {
    expect(parseFeedEvent('{"type":"watchers","seq":4,"count":2}')).toEqual({
      type: 'watchers',
      seq: 4,
      count: 2,
    });
    expect(parseFeedEvent(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('rejects garbage and unknown types without throwing', () => {
    expect(parseFeedEvent('not json')).toBeNull();
    expect(parseFeedEvent('null')).toBeNull();
    expect(parseFeedEvent('{"type":"upload.progress","seq":1}')).toBeNull();
    expect(parseFeedEvent('{"type":"something.else","seq":1}')).toBeNull();
    expect(parseFeedEvent('{"type":"watchers","count":1}')).toBeNull();
  });
});

describe('feed notices (cluster mode)', () => {
  it('marks the state degraded on feed.degraded and clears it on feed.restored or a snapshot, keeping the seq', () => {
    const snapshot: FeedEvent = { type: 'snapshot', seq: 7, uploads: [], watchers: 1 };
    const degraded = applyAll([snapshot, { type: 'feed.degraded', seq: 7 }]);
    expect(degraded).toMatchObject({ seq: 7, degraded: true });
    expect(applyAll([{ type: 'feed.restored', seq: 7 }], degraded)).toMatchObject({
      seq: 7,
      degraded: false,
    });
    expect(applyAll([{ ...snapshot, seq: 9 }], degraded)).toMatchObject({ seq: 9, degraded: false });
  });
});
