import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InProcessEventBus } from '../../../server/events/event-bus.js';
import type { EncodedEvent } from '../../../server/events/event-types.js';
import { ProgressTracker } from '../../../server/events/progress-tracker.js';
import type { Upload } from '../../../server/uploads/upload.js';

const upload = (id: string, size = 0): Upload => ({
  id,
  name: `${id}.bin`,
  type: 'application/octet-stream',
  size,
  expected: 1000,
  status: 'uploading',
  thumbnail: 'data:image/png;base64,AAAA',
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('ProgressTracker', () => {
  let bus: InProcessEventBus;
  let seen: { type: string; seq: number; upload?: Upload }[];
  let tracker: ProgressTracker;

  beforeEach(() => {
    vi.useFakeTimers();
    bus = new InProcessEventBus();
    seen = [];
    bus.subscribe((event: EncodedEvent) => seen.push(JSON.parse(event.json)));
    tracker = new ProgressTracker(bus, 100);
  });
  afterEach(() => {
    tracker.close();
    vi.useRealTimers();
  });

  const progressSizes = () => seen.filter((e) => e.type === 'upload.progress').map((e) => e.upload?.size);

  it('sends the first report at once and at most one more per interval, with the latest count', () => {
    tracker.started(upload('a'));
    tracker.progress(upload('a', 10));
    for (let size = 20; size <= 500; size += 10) tracker.progress(upload('a', size));
    expect(progressSizes()).toEqual([10]);
    vi.advanceTimersByTime(99);
    expect(progressSizes()).toEqual([10]);
    vi.advanceTimersByTime(1);
    expect(progressSizes()).toEqual([10, 500]);
  });

  it('sends the trailing count even when no report follows it', () => {
    tracker.started(upload('a'));
    tracker.progress(upload('a', 10));
    vi.advanceTimersByTime(30);
    tracker.progress(upload('a', 42));
    vi.advanceTimersByTime(1000);
    expect(progressSizes()).toEqual([10, 42]);
  });

  it('always sends the final count before completed, and nothing after', () => {
    tracker.started(upload('a'));
    tracker.progress(upload('a', 10));
    tracker.progress(upload('a', 900)); // throttled
    tracker.completed({ ...upload('a', 1000), status: 'completed', sha256: 'f'.repeat(64) });
    tracker.progress(upload('a', 1000));
    vi.advanceTimersByTime(1000);
    expect(seen.map((e) => [e.type, e.upload?.size])).toEqual([
      ['upload.started', 0],
      ['upload.progress', 10],
      ['upload.progress', 1000],
      ['upload.completed', 1000],
    ]);
  });

  it('sends the final count as an uploading upload even when the pipeline already marked it completed', () => {
    const live = upload('a');
    tracker.started(live);
    Object.assign(live, {
      size: 1000,
      status: 'completed',
      sha256: 'a'.repeat(64),
      url: '/api/uploads/a/content',
    });
    tracker.completed(live);
    const [progress, completed] = seen.slice(1);
    expect(progress).toMatchObject({ type: 'upload.progress', upload: { size: 1000, status: 'uploading' } });
    expect(progress?.upload).not.toHaveProperty('sha256');
    expect(completed).toMatchObject({
      type: 'upload.completed',
      upload: { status: 'completed', sha256: 'a'.repeat(64) },
    });
  });

  it('does not repeat a final count that was already announced', () => {
    tracker.started(upload('a'));
    tracker.progress(upload('a', 1000));
    tracker.completed({ ...upload('a', 1000), status: 'completed' });
    expect(seen.map((e) => e.type)).toEqual(['upload.started', 'upload.progress', 'upload.completed']);
  });

  it('never lets the size go backwards and keeps seq strictly rising across uploads', () => {
    tracker.started(upload('a'));
    tracker.started(upload('b'));
    const sizes = [5, 3, 50, 40, 70, 60, 90];
    for (const size of sizes) {
      tracker.progress(upload('a', size));
      tracker.progress(upload('b', size * 2));
      vi.advanceTimersByTime(100);
    }
    for (const id of ['a', 'b']) {
      const forUpload = seen.filter((e) => e.type === 'upload.progress' && e.upload?.id === id);
      const s = forUpload.map((e) => e.upload!.size);
      expect(s).toEqual([...s].sort((x, y) => x - y));
      expect(new Set(s).size).toBe(s.length);
      expect(s.at(-1)).toBe(id === 'a' ? 90 : 180);
    }
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
  });

  it('announces every upload that moved in one tick per interval, one event each', () => {
    for (const id of ['a', 'b', 'c']) tracker.started(upload(id));
    tracker.progress(upload('a', 1)); // after a quiet interval: at once
    for (let size = 2; size < 50; size++) {
      for (const id of ['a', 'b', 'c']) tracker.progress(upload(id, size));
      vi.advanceTimersByTime(5);
    }
    vi.advanceTimersByTime(100);
    const progress = seen.filter((e) => e.type === 'upload.progress');
    // Ticks at 100, 200 and the trailing one at 300 ms, each with all three uploads, consecutive seqs.
    expect(progress.map((e) => [e.upload?.id, e.upload?.size])).toEqual([
      ['a', 1],
      ...[21, 41, 49].flatMap((size) => [
        ['a', size],
        ['b', size],
        ['c', size],
      ]),
    ]);
    const ticks = [progress.slice(1, 4), progress.slice(4, 7), progress.slice(7, 10)];
    for (const tick of ticks) expect(tick.map((e) => e.seq - tick[0]!.seq)).toEqual([0, 1, 2]);
  });

  it('sends every report when the interval is 0', () => {
    const unthrottled = new ProgressTracker(bus, 0);
    unthrottled.started(upload('z'));
    for (const size of [1, 2, 3]) unthrottled.progress(upload('z', size));
    expect(progressSizes()).toEqual([1, 2, 3]);
  });

  it('leaves the thumbnail out of progress events but keeps it in started and completed', () => {
    tracker.started(upload('a'));
    tracker.progress(upload('a', 10));
    tracker.completed(upload('a', 10));
    expect(seen.map((e) => e.upload && 'thumbnail' in e.upload)).toEqual([true, false, true]);
  });

  it('drops the pending count when an upload fails or aborts', () => {
    tracker.started(upload('a'));
    tracker.started(upload('b'));
    tracker.progress(upload('a', 10));
    tracker.progress(upload('b', 10));
    tracker.progress(upload('a', 20));
    tracker.progress(upload('b', 20));
    tracker.failed(upload('a', 20), { code: 'UPLOAD_FILE_TOO_LARGE', message: 'File too large' });
    tracker.aborted(upload('b', 20));
    vi.advanceTimersByTime(1000);
    // a's first count went out at once; b's and a's later counts were waiting for the tick.
    expect(seen.map((e) => [e.type, e.upload?.id])).toEqual([
      ['upload.started', 'a'],
      ['upload.started', 'b'],
      ['upload.progress', 'a'],
      ['upload.failed', 'a'],
      ['upload.aborted', 'b'],
    ]);
    expect(seen[3]).toMatchObject({ error: { code: 'UPLOAD_FILE_TOO_LARGE' } });
    expect(tracker.inProgress()).toEqual([]);
  });

  it('lists uploads in progress with their latest count, and announces deletions by id', () => {
    tracker.started(upload('a'));
    tracker.progress(upload('a', 10));
    tracker.progress(upload('a', 30));
    expect(tracker.inProgress()).toMatchObject([{ id: 'a', size: 30 }]);
    tracker.deleted('gone');
    expect(seen.at(-1)).toEqual({ type: 'upload.deleted', seq: 3, upload: { id: 'gone' } });
  });

  it('announces the last bytes before upload.paused, keeps a paused upload in progress, and resumes progress', () => {
    tracker.started(upload('p'));
    tracker.progress(upload('p', 10));
    tracker.progress(upload('p', 40));
    tracker.paused({ ...upload('p', 40), status: 'paused', expiresAt: '2026-01-02T00:00:00.000Z' });
    expect(seen.map((e) => e.type)).toEqual([
      'upload.started',
      'upload.progress',
      'upload.progress',
      'upload.paused',
    ]);
    expect(progressSizes()).toEqual([10, 40]);
    expect(tracker.inProgress()).toEqual([expect.objectContaining({ id: 'p', status: 'paused', size: 40 })]);
    vi.advanceTimersByTime(200);
    tracker.progress(upload('p', 70));
    expect(progressSizes()).toEqual([10, 40, 70]);
  });

  it('lists a paused upload restored at start-up in the snapshot, and drops it when it expires', () => {
    tracker.paused({ ...upload('r', 300), status: 'paused' });
    expect(tracker.inProgress().map((u) => u.id)).toEqual(['r']);
    tracker.expired({ ...upload('r', 300), status: 'aborted' });
    expect(tracker.inProgress()).toEqual([]);
    expect(seen.map((e) => e.type)).toEqual(['upload.paused', 'upload.expired']);
  });
});
