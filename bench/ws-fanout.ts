// Benchmark 3c, chat-room fan-out: 1 sender and 500 receiving `ws` clients in one room, on our core's
// `npm run ws:chat` and on a `ws` chat server with the same semantics (bench/baselines/ws-chat.ts).
// The sender keeps at most WINDOW messages ahead of the slowest receiver, so neither server is
// measured filling its buffers. Reports deliveries/s and the server's CPU µs per delivery; medians
// over interleaved rounds. Usage: tsx bench/ws-fanout.ts [--quick] [--rounds N] [--receivers N]
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { WebSocket } from 'ws';
import { buildServers } from './lib/build.js';
import { benchOptions, emit, log, median, rotated, round3 } from './lib/report.js';
import { type ServerProcess, startServer } from './lib/server-process.js';
import { coreScript, wsChat } from './lib/targets.js';
import { closeClients, openClients } from './lib/ws-clients.js';

const BENCH = 'ws-fanout';
const WINDOW = 64;
const { quick, rounds: roundsFlag } = benchOptions();
const { values } = parseArgs({
  options: { receivers: { type: 'string' }, messages: { type: 'string' } },
  strict: false,
});
const receiverCount = Number(values.receivers ?? 500);
const messages = Number(values.messages ?? (quick ? 200 : 2000));
const rounds = roundsFlag ?? (quick ? 1 : 3);

interface Room {
  server: ServerProcess;
  sender: WebSocket;
  receivers: WebSocket[];
  /** Every message any receiver got since the room opened: used to wait out the join announcements. */
  received: number;
  onMessage?: (receiver: number) => void;
  deliveriesPerS: number[];
  cpuUsPerDelivery: number[];
  baseline?: boolean;
}

async function openRoom(server: ServerProcess, baseline: boolean): Promise<Room> {
  const [sender, ...receivers] = await openClients(server.port, receiverCount + 1);
  const room: Room = {
    server,
    sender: sender!,
    receivers,
    received: 0,
    deliveriesPerS: [],
    cpuUsPerDelivery: [],
    baseline,
  };
  for (const [i, socket] of receivers.entries()) {
    socket.on('message', () => {
      room.received++;
      room.onMessage?.(i);
    });
  }
  // Every join is announced to everyone already there: wait until that storm has passed.
  let seen = -1;
  while (seen !== room.received) {
    seen = room.received;
    await sleep(300);
  }
  return room;
}

/** Sends `messages` texts, each delivered to every receiver; resolves with elapsed seconds. */
function sendRound(room: Room): Promise<number> {
  const n = room.receivers.length;
  const counts = new Uint32Array(n);
  // reached[k]: receivers that have got at least k messages of this round.
  const reached = new Uint32Array(messages + 1);
  let sent = 0;
  const started = performance.now();
  return new Promise((resolve) => {
    const pump = () => {
      while (sent < messages && (sent < WINDOW || reached[sent - WINDOW + 1] === n)) {
        room.sender.send(`fanout message ${sent++} ${'x'.repeat(32)}`);
      }
    };
    room.onMessage = (receiver) => {
      const count = ++counts[receiver]!;
      if (count > messages || ++reached[count]! !== n) return;
      if (count === messages) {
        room.onMessage = undefined;
        resolve((performance.now() - started) / 1000);
      } else pump();
    };
    pump();
  });
}

buildServers();
const core = coreScript('ws:chat');
const rooms: Room[] = [];
try {
  if (!core)
    emit({
      bench: BENCH,
      target: 'livedrop-core',
      skipped: 'no `npm run ws:chat` script on this branch yet',
    });
  for (const spec of core ? [core, wsChat()] : [wsChat()]) {
    const server = await startServer(spec);
    rooms.push(await openRoom(server, spec.target === 'ws'));
  }
  log(
    `${BENCH}: 1 sender → ${receiverCount} receivers, ${messages} messages, window ${WINDOW}, ${rounds} round(s)`,
  );
  for (let round = 0; round < rounds; round++) {
    for (const room of rotated(rooms, round)) {
      const cpuBefore = room.server.cpuSeconds();
      const seconds = await sendRound(room);
      const cpu = room.server.cpuSeconds() - cpuBefore;
      const deliveries = messages * room.receivers.length;
      room.deliveriesPerS.push(deliveries / seconds);
      room.cpuUsPerDelivery.push((cpu / deliveries) * 1e6);
      log(
        `round ${round + 1} ${room.server.target}: ${(deliveries / seconds).toFixed(0)} deliveries/s, ${((cpu / deliveries) * 1e6).toFixed(2)} CPU-µs/delivery`,
      );
    }
  }
  for (const room of rooms) {
    emit({
      bench: BENCH,
      target: room.server.target,
      ...(room.baseline && { baseline: true }),
      deliveriesPerS: round3(median(room.deliveriesPerS)),
      cpuUsPerDelivery: round3(median(room.cpuUsPerDelivery)),
      rounds,
    });
  }
} finally {
  for (const room of rooms) {
    await closeClients([room.sender, ...room.receivers]);
    await room.server.stop();
  }
}
