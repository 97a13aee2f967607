import { describe, expect, it } from 'vitest';
import { Metrics } from '../../server/metrics.js';
import type { Upload } from '../../server/uploads/upload.js';
import type { UploadObserver } from '../../server/uploads/upload-observer.js';
import { readDoc } from '../fixtures/docs.js';

const noStats = { receivers: () => [], dropped: 0 };
const quiet: UploadObserver = {
  started() {},
  progress() {},
  completed() {},
  failed() {},
  aborted() {},
  paused() {},
  expired() {},
  deleted() {},
};

const upload = (size: number): Upload => ({
  id: 'u1',
  name: 'a',
  type: 'text/plain',
  size,
  expected: null,
  status: 'uploading',
  createdAt: new Date().toISOString(),
});

describe('Metrics', () => {
  it('documents every metric in docs/operations.md', async () => {
    const metrics = new Metrics();
    metrics.observeWatchers(() => 0);
    metrics.observeWebhooks(noStats);
    metrics.observePreUploadHook({
      check: async () => ({}),
      outcomes: { allowed: 0, rejected: 0, 'failed-closed': 0, 'failed-open': 0 },
    });
    const doc = readDoc('operations');
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) expect(doc).toContain(`\`${name}\``);
  });

  it('counts each byte once, whatever the order of the progress reports', async () => {
    const metrics = new Metrics();
    const observer = metrics.observeUploads(quiet);
    observer.started(upload(0));
    for (const size of [100, 300, 200, 300, 1000]) observer.progress(upload(size));
    observer.completed({ ...upload(1000), status: 'completed' });
    observer.progress(upload(5000)); // after the end: ignored
    const json = await metrics.registry.getSingleMetric('livedrop_upload_bytes_received_total')!.get();
    expect(json.values.find((v) => v.labels.kind === 'multipart')?.value).toBe(1000);
  });
});
