import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errors } from '../../server/errors.js';

describe('error table', () => {
  it('names every error by its own code', () => {
    for (const [key, ErrorClass] of Object.entries(errors)) {
      const error = new ErrorClass('x', 'y');
      expect(error.code).toBe(key);
      expect(error.statusCode).toBeGreaterThanOrEqual(400);
    }
  });

  it('documents every code with its status in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [code, ErrorClass] of Object.entries(errors)) {
      const status = new ErrorClass('x', 'y').statusCode;
      expect(readme).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`));
    }
  });
});
