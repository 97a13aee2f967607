import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts the shared S3 test server when LIVEDROP_TEST_STORAGE=s3 (and nothing otherwise).
    globalSetup: ['test/global-setup.ts'],
    // Kills what a file started and left running (a test that timed out before its clean-up).
    setupFiles: ['test/kill-leftovers.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration and browser tests open real ports and processes; keep the two cores unflooded.
    maxWorkers: 2,
  },
});
