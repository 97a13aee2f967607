// `npx tsx bench/ws-echo.ts`: echo throughput of our core (ws:echo) vs the `ws` library, both in
// child processes, driven by the same `ws` client in this process, in the same run. Prints one JSON
// line per server and workload (median of BENCH_ROUNDS rounds, default 5) and one with the ratios
// (above 1 means we are faster / cheaper). Server CPU time is read from /proc on Linux.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Workload {
  name: string;
  count: number;
  payload: string | Buffer;
  /** Messages in flight at once. */
  window: number;
}

const workloads: Workload[] = [
  { name: 'text-100B', count: 100_000, payload: 'x'.repeat(100), window: 256 },
  { name: 'binary-1MiB', count: 200, payload: Buffer.alloc(1024 * 1024, 0xab), window: 4 },
];

async function startServer(script: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, ...(script.includes('echo-server') ? ['--port', '0'] : [])],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  for await (const chunk of child.stdout!) {
    output += chunk;
    const match = /(ws:\/\/\S+)/.exec(output);
    if (match) return { child, url: match[1]! };
  }
  throw new Error(`${script} exited before listening`);
}

/** Sends `count` messages keeping `window` in flight; resolves with the seconds it took. */
async function run(url: string, { count, payload, window }: Workload): Promise<number> {
  const client = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  await once(client, 'open');
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    let received = 0;
    client.on('error', reject);
    client.on('message', () => {
      received++;
      if (received === count) resolve();
      else if (sent < count) {
        sent++;
        client.send(payload);
      }
    });
    for (; sent < Math.min(window, count); sent++) client.send(payload);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  client.close();
  await once(client, 'close');
  return seconds;
}

const servers = {
  ours: 'server/ws/echo-server.ts',
  ws: 'test/conformance/reference-server.ts',
} as const;
type ServerName = keyof typeof servers;

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const running = {
  ours: await startServer(servers.ours),
  ws: await startServer(servers.ws),
};
try {
  for (const workload of workloads) {
    const seconds: Record<ServerName, number[]> = { ours: [], ws: [] };
    const cpu: Record<ServerName, number[]> = { ours: [], ws: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Back to back, alternating who goes first: a per-round ratio cancels the machine's load drift.
      const order: ServerName[] = round % 2 === 0 ? ['ours', 'ws'] : ['ws', 'ours'];
      for (const name of order) {
        const pid = running[name].child.pid!;
        const cpuBefore = cpuSeconds(pid);
        seconds[name].push(await run(running[name].url, workload));
        cpu[name].push(cpuSeconds(pid) - cpuBefore);
      }
    }
    const bytes =
      typeof workload.payload === 'string' ? Buffer.byteLength(workload.payload) : workload.payload.length;
    for (const name of ['ours', 'ws'] as const) {
      const wall = median(seconds[name]);
      console.log(
        JSON.stringify({
          bench: 'ws-echo',
          workload: workload.name,
          server: name,
          messages: workload.count,
          seconds: Number(wall.toFixed(4)),
          messagesPerSecond: Math.round(workload.count / wall),
          mebibytesPerSecond: Number(((workload.count * bytes) / wall / 1024 / 1024).toFixed(1)),
          serverCpuSeconds: Number(median(cpu[name]).toFixed(2)),
          rounds: ROUNDS,
        }),
      );
    }
    const ratios = seconds.ours.map((ours, i) => seconds.ws[i]! / ours);
    const cpuRatios = cpu.ours.map((ours, i) => cpu.ws[i]! / ours);
    console.log(
      JSON.stringify({
        bench: 'ws-echo',
        workload: workload.name,
        ratio: Number(median(ratios).toFixed(3)),
        cpuRatio: Number(median(cpuRatios).toFixed(3)),
        meaning: 'median per-round ours/ws throughput, and ws/ours server CPU time (above 1: ours is better)',
      }),
    );
  }
} finally {
  running.ours.child.kill();
  running.ws.child.kill();
}
