// What a scoped token lets one request do, and the count of files each token has created. The
// signature carries size, types, origin and expiry to every node; the count needs memory, so it is
// kept here, per node, until the token expires (docs/embedding.md says what that means with N nodes).
import type { ScopedClaims } from './scoped-token.js';

/** The limits ingest applies on top of the server's own, for a request made with a scoped token. */
export interface UploadGrant {
  claims: ScopedClaims;
  /** Reserves one file of the token's allowance; false when it is used up. */
  takeFile(): boolean;
  /** Gives reserved files back (their request failed: nothing was created). */
  returnFiles(count: number): void;
}

export class UploadGrants {
  readonly #used = new Map<string, { count: number; exp: number }>();

  grant(claims: ScopedClaims): UploadGrant {
    const used = this.#used;
    return {
      claims,
      takeFile() {
        const entry = used.get(claims.jti) ?? { count: 0, exp: claims.exp };
        if (entry.count >= claims.maxFiles) return false;
        entry.count += 1;
        used.set(claims.jti, entry);
        return true;
      },
      returnFiles(count) {
        const entry = used.get(claims.jti);
        if (entry) entry.count = Math.max(0, entry.count - count);
      },
    };
  }

  /** Forgets tokens that have expired: they are refused before they reach a grant anyway. */
  prune(now = Date.now()): void {
    for (const [jti, entry] of this.#used) if (entry.exp * 1000 <= now) this.#used.delete(jti);
  }
}
