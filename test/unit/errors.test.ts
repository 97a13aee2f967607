import { describe, expect, it } from 'vitest';
import { errors } from '../../server/errors.js';
import { readDoc } from '../fixtures/docs.js';

describe('error table', () => {
  it('names every error by its own code', () => {
    for (const [key, ErrorClass] of Object.entries(errors)) {
      const error = new ErrorClass('x', 'y');
      expect(error.code).toBe(key);
      expect(error.statusCode).toBeGreaterThanOrEqual(400);
    }
  });

  it('documents every code with its status in docs/', () => {
    const doc = readDoc('errors');
    for (const [code, ErrorClass] of Object.entries(errors)) {
      const status = new ErrorClass('x', 'y').statusCode;
      expect(doc).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`));
    }
  });
});
