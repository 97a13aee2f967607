// Set-up file for every test file (vitest.config.ts): processes the file started and did not stop are
// killed after its last test (fixtures/child-processes.ts). Runs after the file's own afterAll hooks.
import { afterAll } from 'vitest';
import { killLeftovers } from './fixtures/child-processes.js';

afterAll(killLeftovers);
