// The per-upload lock of resumable (tus) uploads across nodes (tusd and @tus/server ship none).
// A lock is a Redis key `lock:<id>` = "<node> <token>" with a lease (PX), renewed by its holder while
// it runs; a node that dies lets it lapse within LEASE_MS. The token is a fencing token: one counter
// for every lease ever given, strictly increasing (and, like the event log's seq, started from
// Redis's clock × 1000 if Redis lost it, so a new counter never hands out an old number). A newcomer
// that finds the lock held asks the holder to stop (PUBLISH on `lock-release`, the holder's node is
// subscribed: tusd's "requestUnlock"), then retries until the holder released or `waitMs` ran out.
// A holder that cannot renew (Redis unreachable, or its lease lapsed) is told to stop as well.
import type { UploadLease, UploadLocks } from '../tus/upload-lock.js';
import type { RedisConnection } from './redis-connection.js';
import { connectRedis, LuaScript } from './redis-connection.js';

/** How long a lock outlives its holder's last renewal. */
export const LEASE_MS = 3000;
const RENEW_EVERY_MS = 1000;
const RETRY_MS = 25;

// KEYS: lock, fence counter. ARGV: node, lease ms. Returns the token, or 0 when held by someone else.
const ACQUIRE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[2], string.format('%.0f', (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) * 1000))
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. string.format('%.0f', token), 'PX', ARGV[2])
return token
`);

// KEYS: lock. ARGV: "<node> <token>", lease ms (0: release). 1 if it was ours, 0 if not (lapsed, taken).
const RENEW_OR_RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`);

interface Held {
  owner: string;
  controller: AbortController;
  renewal: NodeJS.Timeout;
}

export class RedisUploadLocks implements UploadLocks {
  readonly #held = new Map<string, Held>();
  readonly #channel: string;

  private constructor(
    private readonly commands: RedisConnection,
    private readonly subscriber: RedisConnection,
    private readonly nodeId: string,
    private readonly prefix: string,
  ) {
    this.#channel = `${prefix}lock-release`;
  }

  static async open(url: string, nodeId: string, prefix: string, onError: (e: Error) => void) {
    const commands = await connectRedis({ url, name: `livedrop:${nodeId}:locks`, onError });
    const subscriber = await connectRedis({ url, name: `livedrop:${nodeId}:lock-requests`, onError });
    const locks = new RedisUploadLocks(commands, subscriber, nodeId, prefix);
    // Resubscribed by the client after a reconnect.
    await subscriber.subscribe(locks.#channel, (id) => locks.#held.get(id)?.controller.abort());
    return locks;
  }

  async acquire(id: string, waitMs: number): Promise<UploadLease | null> {
    const deadline = Date.now() + waitMs;
    const keys = this.#keys(id);
    let asked = false;
    for (;;) {
      const token = await ACQUIRE.run<number>(this.commands, keys, [this.nodeId, LEASE_MS]);
      if (token > 0) return this.#lease(id, keys[0], token);
      // Held: ask the holder (on this node or another) to stop, once, then wait for it to let go.
      if (!asked) {
        asked = true;
        const local = this.#held.get(id);
        if (local) local.controller.abort();
        else await this.commands.publish(this.#channel, id);
      }
      if (Date.now() + RETRY_MS > deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  async tryAcquire(id: string): Promise<UploadLease | null> {
    const keys = this.#keys(id);
    const token = await ACQUIRE.run<number>(this.commands, keys, [this.nodeId, LEASE_MS]);
    return token > 0 ? this.#lease(id, keys[0], token) : null;
  }

  /** Stops renewing (node shutdown: the leases lapse) and disconnects. */
  close(): void {
    if (!this.commands.isOpen) return;
    for (const held of this.#held.values()) {
      clearInterval(held.renewal);
      held.controller.abort();
    }
    this.#held.clear();
    this.subscriber.destroy();
    this.commands.destroy();
  }

  #keys(id: string): [lock: string, fence: string] {
    return [`${this.prefix}lock:${id}`, `${this.prefix}lock-fence`];
  }

  #lease(id: string, key: string, token: number): UploadLease {
    const owner = `${this.nodeId} ${token}`;
    const controller = new AbortController();
    const renewal = setInterval(() => {
      RENEW_OR_RELEASE.run<number>(this.commands, [key], [owner, LEASE_MS]).then(
        (ours) => ours === 0 && controller.abort(), // lapsed or taken: stop writing
        () => controller.abort(), // Redis unreachable: the lease may lapse; stop rather than race
      );
    }, RENEW_EVERY_MS).unref();
    const held: Held = { owner, controller, renewal };
    this.#held.set(id, held);
    let released = false;
    return {
      token,
      stopRequested: controller.signal,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        if (this.#held.get(id) === held) this.#held.delete(id);
        await RENEW_OR_RELEASE.run(this.commands, [key], [owner, 0]).catch(() => {}); // else it lapses
      },
    };
  }
}
