// One connection to Redis with the rules the event path needs: nothing queues while disconnected
// (`disableOfflineQueue`: a command fails at once and the caller's own bounded outbox keeps the
// event), reconnects with capped backoff by itself (so `CLIENT KILL` heals), and pings so a silent
// dead connection is noticed. Scripts run by SHA, loaded again when Redis forgot them (a restart).
import { createHash } from 'node:crypto';
import { createClient, ErrorReply } from 'redis';

export type RedisConnection = ReturnType<typeof createClient>;

export interface ConnectionOptions {
  url: string;
  /** Shown by CLIENT LIST: which node and which role (commands, tail, locks). */
  name: string;
  /** Connection-level errors (Redis gone); the caller only logs them. */
  onError(error: Error): void;
}

export async function connectRedis(options: ConnectionOptions): Promise<RedisConnection> {
  const client = createClient({
    url: options.url,
    name: options.name,
    disableOfflineQueue: true,
    pingInterval: 1000,
    socket: {
      connectTimeout: 2000,
      // 50 ms doubling to 1 s, for ever: the node keeps accepting uploads while Redis is away.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
    },
  });
  client.on('error', options.onError);
  await client.connect();
  return client;
}

export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** EVALSHA, falling back to EVAL when Redis answers NOSCRIPT (its script cache was emptied). */
  async run<T>(
    client: RedisConnection,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await client.sendCommand<T>(['EVALSHA', this.sha, ...tail]);
    } catch (error) {
      if (!(error instanceof ErrorReply) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await client.sendCommand<T>(['EVAL', this.source, ...tail]);
    }
  }
}

/**
 * True for a reply Redis gave (a bug or bad data: retrying cannot help), false for a lost or
 * refused connection and for the states a restarting Redis answers with (LOADING, BUSY).
 */
export function isPermanentError(error: unknown): boolean {
  return error instanceof ErrorReply && !/^(LOADING|BUSY|MASTERDOWN|TRYAGAIN)/.test(error.message);
}
