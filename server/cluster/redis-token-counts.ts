// The file count of scoped upload tokens across nodes (issue 15: maxFiles is per token, not per
// node). One key per token, `token-files:<jti>`, counted by a script so that reserving is one atomic
// step (INCR, and back at once when over the limit) and expires with the token (EXPIREAT its exp).
// On the locks' rules (redis-connection.ts): nothing queues while Redis is away, so a take fails at
// once and the request is refused (UPLOAD_TOKEN_COUNT_UNAVAILABLE) rather than counted nowhere.
import type { ScopedClaims } from '../tokens/scoped-token.js';
import type { TokenFileCounts } from '../tokens/upload-grants.js';
import { connectRedis, LuaScript, type RedisConnection } from './redis-connection.js';

// KEYS: count. ARGV: maxFiles, exp (seconds). 1 when reserved, 0 when the token is used up.
const TAKE = new LuaScript(`
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIREAT', KEYS[1], ARGV[2])
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 0
end
return 1
`);

// KEYS: count. ARGV: files to give back. Never below zero, and never creates the key (an expired
// token's count stays gone); DECRBY keeps the expiry.
const GIVE = new LuaScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n <= 0 then return 0 end
return redis.call('DECRBY', KEYS[1], math.min(n, tonumber(ARGV[1])))
`);

export class RedisTokenFileCounts implements TokenFileCounts {
  private constructor(
    private readonly commands: RedisConnection,
    private readonly prefix: string,
  ) {}

  static async open(url: string, nodeId: string, prefix: string, onError: (e: Error) => void) {
    const commands = await connectRedis({ url, name: `livedrop:${nodeId}:token-counts`, onError });
    return new RedisTokenFileCounts(commands, prefix);
  }

  async take(claims: ScopedClaims): Promise<boolean> {
    return (await TAKE.run<number>(this.commands, [this.#key(claims)], [claims.maxFiles, claims.exp])) === 1;
  }

  async give(claims: ScopedClaims, count: number): Promise<void> {
    await GIVE.run<number>(this.commands, [this.#key(claims)], [count]);
  }

  close(): void {
    this.commands.destroy();
  }

  #key(claims: ScopedClaims): string {
    return `${this.prefix}token-files:${claims.jti}`;
  }
}
