// The Redis event bus on a real redis-server: the shared contract (test/fixtures/event-bus-contract.ts),
// then what only a shared log has: several nodes, a node opening later, CLIENT KILL, Redis restarts.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisEventBus, type RedisEventBusOptions } from '../../server/cluster/redis-event-bus.js';
import type { BusChange } from '../../server/events/event-bus.js';
import { EventHistory } from '../../server/events/event-history.js';
import type { EncodedEvent } from '../../server/events/event-types.js';
import { collect, eventBusContract, sampleUpload } from '../fixtures/event-bus-contract.js';
import { type RedisServer, startRedisServer } from '../fixtures/redis-server.js';
import { eventually } from '../fixtures/upload-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

const quiet = { info: () => {}, warn: () => {} };
let prefix = '';
const newPrefix = () => {
  prefix = `t${randomBytes(4).toString('hex')}:`;
};

function openNode(nodeId: string, options: Partial<RedisEventBusOptions> = {}): Promise<RedisEventBus> {
  return RedisEventBus.open({
    url: redis.url,
    nodeId,
    keyPrefix: prefix,
    replayCapacity: 1000,
    heartbeatMs: 100,
    nodeTimeoutMs: 500,
    streamMaxLength: 10_000,
    outboxCapacity: 10_000,
    recentLimit: 20,
    localRecent: () => [],
    log: quiet,
    ...options,
  });
}

const killClients = () => redis.command('CLIENT', 'KILL', 'TYPE', 'normal');

eventBusContract(
  'Redis',
  async () => {
    newPrefix();
    const bus = await openNode('contract');
    return { bus, disrupt: async () => void (await killClients()), close: () => bus.close() };
  },
  8,
);

describe('RedisEventBus across nodes', () => {
  const open: RedisEventBus[] = [];
  const node = async (id: string, options?: Partial<RedisEventBusOptions>) => {
    const bus = await openNode(id, options);
    open.push(bus);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((bus) => bus.close()));
  });

  it('gives every node the same events in the same order when several nodes publish at once', async () => {
    newPrefix();
    const [a, b, c] = [await node('a'), await node('b'), await node('c')];
    const seen = [a, b, c].map(collect);
    for (let i = 0; i < 30; i++) {
      a.publish({ type: 'upload.deleted', upload: { id: `a${i}` } });
      b.publish({ type: 'upload.deleted', upload: { id: `b${i}` } });
    }
    const lists = await Promise.all(seen.map((s) => s.until(60)));
    expect(lists[1]!.map((e) => e.json)).toEqual(lists[0]!.map((e) => e.json));
    expect(lists[2]!.map((e) => e.json)).toEqual(lists[0]!.map((e) => e.json));
    const order = (p: string) => lists[0]!.map((e) => e.uploadId!).filter((id) => id.startsWith(p));
    expect(order('a')).toEqual(Array.from({ length: 30 }, (_, i) => `a${i}`));
    expect(order('b')).toEqual(Array.from({ length: 30 }, (_, i) => `b${i}`));
  });

  it('lets a node that starts later replay `since` from the shared log', async () => {
    newPrefix();
    const a = await node('a');
    const seen = collect(a);
    for (let i = 0; i < 10; i++) a.publish({ type: 'upload.deleted', upload: { id: `u${i}` } });
    const events = await seen.until(10);
    const late = await node('late');
    const history = new EventHistory(late, 100, late.uploads);
    expect(history.catchUp(events[3]!.seq, 0)).toEqual(events.slice(4));
  });

  it('sums watchers over nodes, and drops a node that stops its heartbeat within the timeout', async () => {
    newPrefix();
    const [a, b] = [await node('a'), await node('b', { heartbeatMs: 60_000, nodeTimeoutMs: 300 })];
    a.announceWatchers(2);
    b.announceWatchers(3);
    const seen = collect(a);
    const deadline = Date.now() + 3000;
    while (a.watchers !== 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(a.watchers).toBe(5);
    // b's one heartbeat (60 s apart) lapses after 300 ms: a's heartbeat prunes it and announces 2.
    while (a.watchers !== 2 && Date.now() < deadline + 3000) await new Promise((r) => setTimeout(r, 10));
    expect(a.watchers).toBe(2);
    expect(seen.events.map((e) => JSON.parse(e.json).count).at(-1)).toBe(2);
  });

  it("marks a dead node's in-flight upload failed (NODE_LOST), once, from a survivor", async () => {
    newPrefix();
    const [a, b, c] = [
      await node('a'),
      await node('b', { heartbeatMs: 60_000, nodeTimeoutMs: 300 }),
      await node('c'),
    ];
    const seen = collect(a);
    b.publish({ type: 'upload.started', upload: sampleUpload('x') });
    b.publish({ type: 'upload.progress', upload: sampleUpload('x', 500) });
    const deadline = Date.now() + 4000;
    while (!seen.events.some((e) => e.type === 'upload.failed') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 400)); // a second survivor's heartbeat must not repeat it
    const failed = seen.events.filter((e) => e.type === 'upload.failed').map((e) => JSON.parse(e.json));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      upload: { id: 'x', size: 500, status: 'failed' },
      error: { code: 'NODE_LOST' },
    });
    expect(c.uploads.inProgress()).toEqual([]);
  });

  it('heals by itself after CLIENT KILL: nothing lost, nothing twice', async () => {
    newPrefix();
    const [a, b] = [await node('a'), await node('b')];
    const seen = collect(b);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10; i++) a.publish({ type: 'upload.deleted', upload: { id: `r${round}-${i}` } });
      await killClients();
      await new Promise((r) => setTimeout(r, 30));
    }
    const events = await seen.until(50, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.map((e) => e.uploadId).filter((id) => id?.startsWith('r'))).toHaveLength(50);
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => events[0]!.seq + i));
    expect(a.healthy && b.healthy).toBe(true);
  });
});

describe('RedisEventBus when Redis restarts', () => {
  it.each([
    { persistence: true, reset: false },
    { persistence: false, reset: true },
  ])(
    'persistence $persistence: degraded, then restored (new epoch: $reset); what was published meanwhile arrives',
    async ({ persistence, reset }) => {
      const server = await startRedisServer({ persistence });
      const options = { url: server.url, nodeTimeoutMs: 2000 };
      prefix = 'r:';
      const a = await openNode('a', options);
      const b = await openNode('b', options);
      try {
        const changes: BusChange['kind'][] = [];
        // After a new epoch, what the new log held when b reloaded comes as the reset's `held` (the
        // feeds send a snapshot instead), the rest as events.
        const heldAtReset: EncodedEvent[] = [];
        b.onChange((change) => {
          changes.push(change.kind);
          if (change.kind === 'reset') heldAtReset.push(...change.held);
        });
        const seen = collect(b);
        a.publish({ type: 'upload.deleted', upload: { id: 'before' } });
        await seen.until(1);
        const epoch = b.epoch;
        await server.restart({
          persistence,
          whileDown: async () => {
            // Published while Redis is down (b has noticed): it waits in a's outbox.
            await eventually(() => expect(changes).toContain('degraded'), 15_000);
            a.publish({ type: 'upload.deleted', upload: { id: 'during' } });
          },
        });
        const received = () =>
          [...seen.events, ...heldAtReset].map((e) => e.uploadId).filter((id) => id !== undefined);
        await eventually(() => expect(received().sort()).toEqual(['before', 'during']), 15_000);
        expect(changes[0]).toBe('degraded');
        expect(changes.includes('reset')).toBe(reset);
        expect(b.epoch !== epoch).toBe(reset);
        await eventually(() => expect(b.healthy).toBe(true), 15_000);
        expect(changes.at(-1)).toBe('restored');
        // a's tail reconnects on its own back-off: it reaches the same place in the log.
        await eventually(() => expect(a.seq).toBe(b.seq), 15_000);
      } finally {
        await Promise.allSettled([a.close(), b.close()]);
        await server.stop();
      }
    },
  );
});
