import { describe, expect, it } from 'vitest';
import { storageError } from '../../../server/uploads/storage-error.js';

const fsError = (code: string) =>
  Object.assign(new Error(`${code}: open '/srv/uploads/.tmp/abc'`), { code }) as NodeJS.ErrnoException;

describe('storageError', () => {
  it.each(['ENOSPC', 'EDQUOT'])('answers %s with 507 STORAGE_FULL', (code) => {
    expect(storageError(fsError(code))).toMatchObject({ code: 'STORAGE_FULL', statusCode: 507 });
  });

  it.each(['EMFILE', 'ENFILE'])('answers %s (out of descriptors) with 503 SERVER_BUSY', (code) => {
    expect(storageError(fsError(code))).toMatchObject({ code: 'SERVER_BUSY', statusCode: 503 });
  });

  it('answers any other error as a server fault without naming server paths', () => {
    const cause = fsError('EIO');
    const error = storageError(cause);
    expect((error as { statusCode?: number }).statusCode).toBeUndefined();
    expect(error.message).not.toContain('/srv/');
    expect(error.cause).toBe(cause);
  });
});
