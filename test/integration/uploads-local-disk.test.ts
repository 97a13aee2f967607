// What only local-disk storage can show (so the S3 run of the integration suite leaves this file
// out, see .ci/run): a file-system failure that is not a full disk is a 500 whose answer names no
// server path. The S3 counterpart (502/503 with Retry-After) is test/storage/s3-faults.test.ts.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { postMultipart, startServer, type TestServer } from '../fixtures/upload-server.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

it('500 without server paths in the answer when the storage itself fails', async () => {
  server = await startServer();
  await rm(join(server.dir, '.tmp'), { recursive: true });
  const response = await postMultipart(server.url, [{ name: 'file', filename: 'f.bin', data: 'x' }]);
  expect(response.status).toBe(500);
  const body = (await response.json()) as { message: string };
  expect(body.message).toBe('The upload could not be stored');
  expect(JSON.stringify(body)).not.toContain(server.dir);
  expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
});
