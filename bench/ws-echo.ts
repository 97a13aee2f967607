// `npx tsx bench/ws-echo.ts`: echo throughput of our core (ws:echo) vs the `ws` library, both in
// child processes, driven by the same `ws` client in this process, in the same run. Prints one JSON
// line per measurement and one per ratio (ours / ws; above 1 means we are faster).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

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

const running = {
  ours: await startServer(servers.ours),
  ws: await startServer(servers.ws),
};
try {
  for (const workload of workloads) {
    const best: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first so neither always gets the warmer machine.
      const order = round % 2 === 0 ? (['ours', 'ws'] as const) : (['ws', 'ours'] as const);
      for (const name of order) {
        const seconds = await run(running[name].url, workload);
        best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, seconds);
      }
    }
    const bytes =
      typeof workload.payload === 'string' ? Buffer.byteLength(workload.payload) : workload.payload.length;
    for (const name of ['ours', 'ws'] as const) {
      const seconds = best[name]!;
      console.log(
        JSON.stringify({
          bench: 'ws-echo',
          workload: workload.name,
          server: name,
          messages: workload.count,
          seconds: Number(seconds.toFixed(4)),
          messagesPerSecond: Math.round(workload.count / seconds),
          mebibytesPerSecond: Number(((workload.count * bytes) / seconds / 1024 / 1024).toFixed(1)),
          rounds: ROUNDS,
        }),
      );
    }
    console.log(
      JSON.stringify({
        bench: 'ws-echo',
        workload: workload.name,
        ratio: Number((best.ws! / best.ours!).toFixed(3)),
        meaning: 'ours/ws throughput',
      }),
    );
  }
} finally {
  running.ours.child.kill();
  running.ws.child.kill();
}
