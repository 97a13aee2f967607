// `npx tsx bench/ws-echo.ts [--quick] [--rounds N]`: echo throughput of our core (ws:echo) vs the
// `ws` library, both compiled and in child processes, driven by the same `ws` clients in the same run.
// Small messages: one client in this process. 1 MiB messages: a single `ws` client masks in JavaScript
// and is slower than either server, so several client processes × connections drive each server at
// once (bench/lib/echo-driver.ts) to saturate it; the ratio of server CPU per MiB is reported too. One JSON line per workload and server (medians over interleaved rounds, default 5),
// with the server's own CPU time; the core's line also carries the median of the per-round ratios.
import { once } from 'node:events';
import WebSocket from 'ws';
import { buildServers } from './lib/build.js';
import { echo, runDrivers } from './lib/echo-driver.js';
import { benchOptions, emit, log, MiB, median, round3 } from './lib/report.js';
import { type ServerProcess, startServer } from './lib/server-process.js';
import { coreScript, wsEcho } from './lib/targets.js';

const { quick, rounds: roundsFlag } = benchOptions();
const ROUNDS = roundsFlag ?? Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 5));

interface Workload {
  bench: 'ws-echo-small' | 'ws-echo-1mib';
  count: number;
  payload: string | Buffer;
  /** Messages in flight at once (per connection). */
  window: number;
  /** Drive from this many client processes × connections instead of one client in this process. */
  drivers?: { processes: number; connections: number };
}

const workloads: Workload[] = [
  { bench: 'ws-echo-small', count: quick ? 10_000 : 100_000, payload: 'x'.repeat(100), window: 256 },
  {
    bench: 'ws-echo-1mib',
    count: quick ? 40 : 400,
    payload: Buffer.alloc(1024 * 1024, 0xab),
    window: 2,
    drivers: { processes: 2, connections: 2 },
  },
];

/**
 * Sends `count` messages keeping `window` in flight (per connection); resolves with the seconds it
 * took, and with the client processes' CPU seconds when driven from child processes.
 */
async function run(
  url: string,
  { count, payload, window, drivers }: Workload,
): Promise<{ seconds: number; clientCpuSeconds?: number }> {
  if (drivers) {
    const { processes, connections } = drivers;
    const perConnection = Math.ceil(count / (processes * connections));
    return runDrivers(processes, {
      url,
      connections,
      count: perConnection,
      window,
      payloadBytes: payload.length,
    });
  }
  const client = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  await once(client, 'open');
  const started = process.hrtime.bigint();
  await echo(client, payload, count, window);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  client.close();
  await once(client, 'close');
  return { seconds };
}

buildServers();
const core = coreScript('ws:echo');
if (!core) throw new Error('no `npm run ws:echo` script');
const running: Record<'ours' | 'ws', ServerProcess> = {
  ours: await startServer(core),
  ws: await startServer(wsEcho()),
};
type ServerName = keyof typeof running;
const url = (server: ServerProcess) => `ws://127.0.0.1:${server.port}/`;
try {
  for (const workload of workloads) {
    const seconds: Record<ServerName, number[]> = { ours: [], ws: [] };
    const cpu: Record<ServerName, number[]> = { ours: [], ws: [] };
    const clientCpu: Record<ServerName, number[]> = { ours: [], ws: [] };
    // An unmeasured warm-up, so neither side is timed while its JIT is still compiling.
    for (const name of ['ours', 'ws'] as const) {
      await run(url(running[name]), { ...workload, count: Math.ceil(workload.count / 10) });
    }
    for (let round = 0; round < ROUNDS; round++) {
      // Back to back, alternating who goes first: a per-round ratio cancels the machine's load drift.
      const order: ServerName[] = round % 2 === 0 ? ['ours', 'ws'] : ['ws', 'ours'];
      for (const name of order) {
        const server = running[name];
        const cpuBefore = server.cpuSeconds();
        const result = await run(url(server), workload);
        cpu[name].push(server.cpuSeconds() - cpuBefore);
        seconds[name].push(result.seconds);
        if (result.clientCpuSeconds !== undefined) clientCpu[name].push(result.clientCpuSeconds);
      }
    }
    const bytes =
      typeof workload.payload === 'string' ? Buffer.byteLength(workload.payload) : workload.payload.length;
    const roundRatio = median(seconds.ours.map((ours, i) => seconds.ws[i]! / ours));
    const cpuRatio = median(cpu.ws.map((ws, i) => ws / cpu.ours[i]!));
    const clients = workload.drivers
      ? `${workload.drivers.processes} processes × ${workload.drivers.connections} connections`
      : '1 client';
    log(
      `${workload.bench}: ${workload.count} × ${bytes} B from ${clients}, median per-round ratio ours/ws ${roundRatio.toFixed(2)}, server CPU ws/ours ${cpuRatio.toFixed(2)}`,
    );
    const mib = (workload.count * bytes) / MiB;
    for (const name of ['ours', 'ws'] as const) {
      const wall = median(seconds[name]);
      emit({
        bench: workload.bench,
        target: running[name].target,
        ...(name === 'ws' && { baseline: true }),
        msgsPerS: round3(workload.count / wall),
        mbPerS: round3((workload.count * bytes) / 1e6 / wall),
        // Server CPU per MiB echoed: what each core costs, whatever the client's own speed.
        serverCpuMsPerMiB: round3((median(cpu[name]) * 1000) / mib),
        ...(clientCpu[name].length > 0 && {
          clientCpuMsPerMiB: round3((median(clientCpu[name]) * 1000) / mib),
        }),
        ...(name === 'ours' && { roundRatio: round3(roundRatio), cpuRatio: round3(cpuRatio) }),
        clients,
        rounds: ROUNDS,
      });
    }
  }
} finally {
  await running.ours.stop();
  await running.ws.stop();
}
