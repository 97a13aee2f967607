// A resumable (tus) upload from a dropped folder carries its relative path in Upload-Metadata under
// `relativePath` (the key Uppy sends too): stored sanitised as the upload's `path`, like the multipart
// `path` field, and found by the listing's search.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Upload } from '../../server/uploads/upload.js';
import { createTusUpload, metadataValue, OFFSET_STREAM, TUS, tusRequest } from '../fixtures/tus-http.js';
import { startServer, type TestServer } from '../fixtures/upload-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

describe('tus relativePath metadata', () => {
  it('becomes the completed upload’s sanitised path, searchable with q', async () => {
    const body = Buffer.from('resumable day');
    const url = await createTusUpload(server.url, body.length, {
      'Upload-Metadata': [
        `filename ${metadataValue('day.txt')}`,
        `filetype ${metadataValue('text/plain')}`,
        `relativePath ${metadataValue('../Trip\\2024/\u202Eday.txt')}`,
      ].join(','),
    });
    const patch = await tusRequest(url, 'PATCH', { ...TUS, ...OFFSET_STREAM, 'Upload-Offset': 0 }, [body]);
    expect(patch.status).toBe(204);
    const listing = (await (await fetch(`${server.url}/api/uploads?q=trip/2024`)).json()) as {
      uploads: Upload[];
    };
    expect(listing.uploads.map((u) => [u.name, u.path])).toEqual([['day.txt', 'Trip/2024/day.txt']]);
  });

  it('a file without relativePath has no path', async () => {
    const body = Buffer.from('loose');
    const url = await createTusUpload(server.url, body.length, {
      'Upload-Metadata': `filename ${metadataValue('loose.txt')}`,
    });
    await tusRequest(url, 'PATCH', { ...TUS, ...OFFSET_STREAM, 'Upload-Offset': 0 }, [body]);
    const listing = (await (await fetch(`${server.url}/api/uploads?q=loose`)).json()) as {
      uploads: Upload[];
    };
    expect(listing.uploads).toHaveLength(1);
    expect(listing.uploads[0]!.path).toBeUndefined();
  });
});
