// Terminated and expired tus uploads, remembered in Redis so that every node answers 410 Gone, not
// only the one that removed them (tus/gone-uploads.ts). One key per id with a TTL: nothing to prune.
import type { GoneUploads } from '../tus/gone-uploads.js';
import type { RedisConnection } from './redis-connection.js';

/** How long a removed id answers 410; after that 404, which tus allows. */
const REMEMBERED_S = 7 * 24 * 3600;

export class RedisGoneUploads implements GoneUploads {
  constructor(
    private readonly commands: RedisConnection,
    private readonly prefix: string,
  ) {}

  async add(id: string): Promise<void> {
    await this.commands.set(`${this.prefix}gone:${id}`, '1', { EX: REMEMBERED_S });
  }

  async has(id: string): Promise<boolean> {
    return (await this.commands.exists(`${this.prefix}gone:${id}`)) === 1;
  }
}
