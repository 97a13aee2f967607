// Run once per `vitest run`: with LIVEDROP_TEST_STORAGE=s3, one Swift (s3api) server for every test
// file (test/fixtures/s3-server.ts), so the integration suite's second run on S3 starts it once.
import type { TestProject } from 'vitest/node';
import { startS3Server } from './fixtures/s3-server.js';

export default async function setup(project: TestProject) {
  if (process.env.LIVEDROP_TEST_STORAGE !== 's3') return;
  const server = await startS3Server();
  project.provide('s3Endpoint', server.directEndpoint);
  return () => server.stop();
}
