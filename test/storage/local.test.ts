// The storage conformance suite on local disk (STORAGE=local), each test in its own temp directory.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '../../server/storage/local/local-storage.js';
import { describeStorage } from './conformance.js';
import { recordingLog } from './test-log.js';

describeStorage({
  name: 'local disk',
  largeAppend: 6 * 1024 * 1024,
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'livedrop-storage-'));
    return {
      async open() {
        const storage = new LocalStorage({ dir, log: recordingLog() });
        await storage.open();
        return storage;
      },
      leftovers: async () =>
        (await readdir(join(dir, '.tmp')).catch(() => [])).filter((name) => !name.endsWith('.json')),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
