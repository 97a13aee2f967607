import { describe, expect, it } from 'vitest';
import { WebSocketError, wsErrors } from '../../../server/ws/websocket-error.js';
import { readDoc } from '../../fixtures/docs.js';

describe('WebSocket error table', () => {
  it('gives every error its code, its close code and a message', () => {
    for (const [code, entry] of Object.entries(wsErrors)) {
      const error = new WebSocketError(code as keyof typeof wsErrors, 'detail');
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.closeCode).toBe(entry.closeCode);
      expect(error.message).toBe(`${entry.message}: detail`);
      expect([1002, 1007, 1009]).toContain(error.closeCode);
    }
  });

  it('documents every code with its close code in docs/', () => {
    const doc = readDoc('websocket-core');
    for (const [code, entry] of Object.entries(wsErrors)) {
      expect(doc).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${entry.closeCode}\\s*\\|`));
    }
  });
});
