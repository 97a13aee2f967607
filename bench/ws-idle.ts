// Benchmark 3d, idle connections: the server's RSS with 10,000 open, idle WebSocket connections, on
// our core's `npm run ws:echo` and on the `ws` echo server. Each target starts afresh; RSS is read
// after the connections have settled, and per-connection cost is (RSS − RSS before) / connections.
// Usage: tsx bench/ws-idle.ts [--quick] [--rounds N] [--connections N]
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { buildServers } from './lib/build.js';
import { benchOptions, emit, log, MiB, median, rotated, round3 } from './lib/report.js';
import { type ServerSpec, startServer } from './lib/server-process.js';
import { coreScript, wsEcho } from './lib/targets.js';
import { closeClients, openClients } from './lib/ws-clients.js';

const BENCH = 'ws-idle';
const { quick, rounds: roundsFlag } = benchOptions();
const { values } = parseArgs({ options: { connections: { type: 'string' } }, strict: false });
const connections = Number(values.connections ?? (quick ? 1000 : 10_000));
const rounds = roundsFlag ?? 1;

buildServers();
const core = coreScript('ws:echo');
if (!core)
  emit({ bench: BENCH, target: 'livedrop-core', skipped: 'no `npm run ws:echo` script on this branch yet' });
const targets = (core ? [core, wsEcho()] : [wsEcho()]).map((spec: ServerSpec) => ({
  spec,
  rssMiB: [] as number[],
  kibPerConnection: [] as number[],
}));

log(`${BENCH}: ${connections} idle connections, ${rounds} round(s)`);
for (let round = 0; round < rounds; round++) {
  for (const target of rotated(targets, round)) {
    const server = await startServer(target.spec);
    const clients = [];
    try {
      await sleep(300);
      const before = server.memory().rssBytes;
      clients.push(...(await openClients(server.port, connections)));
      await sleep(2000); // let handshake garbage be collected the way it would be on an idle server
      const rss = server.memory().rssBytes;
      target.rssMiB.push(rss / MiB);
      target.kibPerConnection.push((rss - before) / 1024 / connections);
      log(
        `round ${round + 1} ${server.target}: ${(rss / MiB).toFixed(1)} MiB (${(before / MiB).toFixed(1)} before)`,
      );
    } finally {
      await closeClients(clients);
      await server.stop();
    }
  }
}
for (const { spec, rssMiB, kibPerConnection } of targets) {
  emit({
    bench: BENCH,
    target: spec.target,
    ...(spec.target === 'ws' && { baseline: true }),
    rssMiB: round3(median(rssMiB)),
    kibPerConnection: round3(median(kibPerConnection)),
    connections,
    rounds,
  });
}
