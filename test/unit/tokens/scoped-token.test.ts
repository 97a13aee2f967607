import { describe, expect, it } from 'vitest';
import { deriveTokenKey, issueToken, verifyToken } from '../../../server/tokens/scoped-token.js';
import {
  MemoryTokenFileCounts,
  type TokenFileCounts,
  UploadGrants,
} from '../../../server/tokens/upload-grants.js';

const key = deriveTokenKey(null, 'admin')!;
const silent = { warn: () => {} };
const claims = { origin: 'https://a.example', maxFileSize: 10, maxFiles: 2, types: [], exp: 2_000_000_000 };

describe('scoped upload tokens', () => {
  it('verifies its own tokens and gives back the claims', () => {
    const { token, claims: issued } = issueToken(key, claims);
    expect(verifyToken(key, token)).toEqual(issued);
    expect(issued.jti).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('returns null for a token signed with another key, a truncated one, or something else entirely', () => {
    const { token } = issueToken(key, claims);
    expect(verifyToken(deriveTokenKey('other secret', 'admin')!, token)).toBeNull();
    expect(verifyToken(key, token.slice(0, -2))).toBeNull();
    expect(verifyToken(key, `${token}.extra`)).toBeNull();
    expect(verifyToken(key, 'admin')).toBeNull();
  });

  it('throws UPLOAD_TOKEN_EXPIRED at its expiry, not before', () => {
    const { token } = issueToken(key, { ...claims, exp: 1000 });
    expect(verifyToken(key, token, 999_999)?.exp).toBe(1000);
    expect(() => verifyToken(key, token, 1_000_000)).toThrow(
      expect.objectContaining({ code: 'UPLOAD_TOKEN_EXPIRED' }),
    );
  });

  it('has no key without AUTH_TOKEN, and UPLOAD_TOKEN_SECRET replaces the AUTH_TOKEN-derived one', () => {
    expect(deriveTokenKey('secret', null)).toBeNull();
    expect(deriveTokenKey('secret', 'a')).toEqual(deriveTokenKey('secret', 'b'));
    expect(deriveTokenKey(null, 'a')).not.toEqual(deriveTokenKey(null, 'b'));
  });
});

describe('upload grants', () => {
  it('counts files per token across grants, gives returned ones back, and forgets expired tokens', async () => {
    const counts = new MemoryTokenFileCounts();
    const grants = new UploadGrants(counts, silent);
    const { claims: issued } = issueToken(key, claims);
    const first = grants.grant(issued);
    expect(await first.takeFile()).toBe(true);
    const second = grants.grant(issued);
    expect(await second.takeFile()).toBe(true);
    expect(await second.takeFile()).toBe(false);
    second.returnFiles(1);
    expect(await first.takeFile()).toBe(true);
    counts.prune(issued.exp * 1000);
    expect(await grants.grant(issued).takeFile()).toBe(true);
  });

  it('refuses with UPLOAD_TOKEN_COUNT_UNAVAILABLE when the count cannot be reached', async () => {
    const unreachable: TokenFileCounts = {
      take: () => Promise.reject(new Error('connection refused')),
      give: () => Promise.reject(new Error('connection refused')),
    };
    const grant = new UploadGrants(unreachable, silent).grant(issueToken(key, claims).claims);
    await expect(grant.takeFile()).rejects.toMatchObject({
      code: 'UPLOAD_TOKEN_COUNT_UNAVAILABLE',
      statusCode: 503,
      message: expect.stringContaining('connection refused'),
    });
    grant.returnFiles(1); // logged, not thrown
  });
});
