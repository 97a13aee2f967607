// The webhook queue on local disk: one small JSON file per delivery, so a crash at any moment leaves
// whole files only (written to a temp name, fsynced, renamed into place, the directory fsynced).
//   <dir>/pending/<id>.json   waiting for its first attempt or a retry
//   <dir>/dead/<id>.json      given up after WEBHOOK_RETRY_FOR_MS (the newest `maxDead` kept)
//   <dir>/owner               "<hostname> <pid>" of the process using the queue: two processes on one
//                             queue would deliver each other's events and remove each other's files
// The files are the truth; the maps below are rebuilt from them at open().
import { mkdir, open, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError } from '../config.js';
import type { Delivery, DeliveryQueue, QueueCounts } from './delivery-queue.js';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export class DiskDeliveryQueue implements DeliveryQueue {
  readonly #dir: string;
  readonly #pendingDir: string;
  readonly #deadDir: string;
  #owned = false;
  readonly #pending = new Map<string, Delivery>();
  readonly #taken = new Set<string>();
  readonly #dead = new Map<string, Delivery>();

  constructor(
    dir: string,
    private readonly log: FastifyBaseLogger,
    private readonly maxDead = 1000,
  ) {
    this.#dir = dir;
    this.#pendingDir = join(dir, 'pending');
    this.#deadDir = join(dir, 'dead');
  }

  get size(): number {
    return this.#pending.size;
  }

  async open(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await this.#takeOwnership();
    for (const [dir, into] of [
      [this.#pendingDir, this.#pending],
      [this.#deadDir, this.#dead],
    ] as const) {
      await mkdir(dir, { recursive: true });
      const loaded: Delivery[] = [];
      for (const name of await readdir(dir)) {
        const delivery = await this.#read(dir, name);
        if (delivery) loaded.push(delivery);
      }
      for (const delivery of loaded.sort((a, b) => a.createdAt - b.createdAt))
        into.set(delivery.id, delivery);
    }
  }

  async #read(dir: string, name: string): Promise<Delivery | null> {
    const file = join(dir, name);
    const id = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
    try {
      if (ID.test(id)) {
        const delivery = JSON.parse(await readFile(file, 'utf8')) as Delivery;
        if (delivery?.id === id && typeof delivery.body === 'string' && typeof delivery.url === 'string') {
          return delivery;
        }
      }
    } catch {
      // unreadable: removed below
    }
    // A temp file is a write a crash cut short: that delivery never counted as queued.
    if (!name.endsWith('.tmp')) this.log.warn({ file }, 'removing an unreadable webhook queue file');
    await rm(file, { force: true });
    return null;
  }

  async add(deliveries: readonly Delivery[]): Promise<void> {
    await Promise.all(deliveries.map((delivery) => this.#write(this.#pendingDir, delivery)));
    await syncDirectory(this.#pendingDir);
    for (const delivery of deliveries) this.#pending.set(delivery.id, delivery);
  }

  async take(now: number, limit: number): Promise<Delivery[]> {
    const due: Delivery[] = [];
    for (const delivery of this.#pending.values()) {
      if (due.length >= limit) break;
      if (delivery.nextAttemptAt <= now && !this.#taken.has(delivery.id)) due.push(delivery);
    }
    for (const delivery of due) this.#taken.add(delivery.id);
    return due;
  }

  async nextDueAt(): Promise<number | undefined> {
    let next: number | undefined;
    for (const delivery of this.#pending.values()) {
      if (!this.#taken.has(delivery.id) && (next === undefined || delivery.nextAttemptAt < next)) {
        next = delivery.nextAttemptAt;
      }
    }
    return next;
  }

  async done(delivery: Delivery): Promise<void> {
    this.#forget(delivery);
    // Not fsynced: should a crash undo the unlink, the event is delivered once more, which the
    // Idempotency-Key lets the receiver ignore (at-least-once).
    await unlink(this.#file(this.#pendingDir, delivery)).catch(() => {});
  }

  async retry(delivery: Delivery): Promise<void> {
    // Replacing the file in place: a crash that loses this only means an earlier retry.
    await this.#write(this.#pendingDir, delivery);
    this.#taken.delete(delivery.id);
  }

  async bury(delivery: Delivery): Promise<void> {
    await this.#write(this.#deadDir, delivery);
    await syncDirectory(this.#deadDir);
    this.#forget(delivery);
    await unlink(this.#file(this.#pendingDir, delivery)).catch(() => {});
    this.#dead.set(delivery.id, delivery);
    for (const oldest of this.#dead.values()) {
      if (this.#dead.size <= this.maxDead) break;
      this.#dead.delete(oldest.id);
      await unlink(this.#file(this.#deadDir, oldest)).catch(() => {});
    }
  }

  async list(): Promise<{ pending: Delivery[]; dead: Delivery[] }> {
    return { pending: [...this.#pending.values()], dead: [...this.#dead.values()] };
  }

  counts(): Map<string, QueueCounts> {
    const counts = new Map<string, QueueCounts>();
    const entry = (url: string) => {
      const found = counts.get(url) ?? { pending: 0, dead: 0 };
      counts.set(url, found);
      return found;
    };
    for (const delivery of this.#pending.values()) entry(delivery.url).pending++;
    for (const delivery of this.#dead.values()) entry(delivery.url).dead++;
    return counts;
  }

  async close(): Promise<void> {
    this.#taken.clear();
    if (this.#owned) await rm(join(this.#dir, 'owner'), { force: true });
    this.#owned = false;
  }

  /** Claims the directory, or stops start-up when a live process holds it (a crashed one's claim is taken over). */
  async #takeOwnership(): Promise<void> {
    const file = join(this.#dir, 'owner');
    const me = `${hostname()} ${process.pid}`;
    try {
      await writeFile(file, me, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [host, pid] = (await readFile(file, 'utf8')).trim().split(' ');
      if (host !== hostname() || isAlive(Number(pid))) {
        throw new ConfigError(
          `WEBHOOK_QUEUE_DIR=${JSON.stringify(this.#dir)} is in use by ${host} (pid ${pid}): give each node its own (NODE_ID or WEBHOOK_QUEUE_DIR)`,
        );
      }
      await writeFile(file, me);
    }
    this.#owned = true;
  }

  #forget(delivery: Delivery): void {
    this.#pending.delete(delivery.id);
    this.#taken.delete(delivery.id);
  }

  #file(dir: string, delivery: Delivery): string {
    return join(dir, `${delivery.id}.json`);
  }

  /** Temp file, fsync, rename: the final name only ever holds a whole delivery. */
  async #write(dir: string, delivery: Delivery): Promise<void> {
    const file = this.#file(dir, delivery);
    const temp = `${file}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(delivery));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A new or renamed entry is durable only once its directory is fsynced (POSIX fsync(2)). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
