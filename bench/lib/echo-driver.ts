// A child process of `ws` echo clients, so that several processes together can saturate an echo server:
// one `ws` client masks every frame in JavaScript (RFC 6455 §5.3) and is slower than our server, so a
// single client measures the client. The parent forks N of these, sends each a `Job`, waits until all
// say 'ready' (connections open), sends 'go' to all at once and times until every one says 'done'.

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export interface Job {
  url: string;
  connections: number;
  /** Messages per connection. */
  count: number;
  /** Messages in flight per connection. */
  window: number;
  payloadBytes: number;
}

/** 'ready' once connected; then the CPU seconds this client process spent between 'go' and done. */
type ToParent = 'ready' | { clientCpuSeconds: number };

const here = fileURLToPath(import.meta.url);

export interface DriversResult {
  /** Wall-clock seconds from 'go' to the last client done. */
  seconds: number;
  /** CPU seconds all client processes spent meanwhile (shows when the clients, not the server, bound it). */
  clientCpuSeconds: number;
}

/** Forks `processes` drivers and runs `job` on each at once. */
export async function runDrivers(processes: number, job: Job): Promise<DriversResult> {
  const children = Array.from({ length: processes }, () =>
    fork(here, ['--driver'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }),
  );
  try {
    const next = (child: (typeof children)[number]) =>
      new Promise<ToParent>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`echo driver exited with ${code}`)));
        child.once('message', (message) => resolve(message as ToParent));
      });
    const ready = children.map(next);
    for (const child of children) child.send(job);
    await Promise.all(ready);
    const done = children.map(next);
    const started = process.hrtime.bigint();
    for (const child of children) child.send('go');
    const reports = await Promise.all(done);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const clientCpuSeconds = reports.reduce(
      (sum, report) => sum + (typeof report === 'object' ? report.clientCpuSeconds : 0),
      0,
    );
    return { seconds, clientCpuSeconds };
  } finally {
    await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
  }
}

/** One connection: sends `count` messages keeping `window` in flight, resolves when all came back. */
export function echo(
  client: WebSocket,
  payload: Buffer | string,
  count: number,
  window: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
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
}

async function driver(job: Job): Promise<void> {
  const payload = Buffer.alloc(job.payloadBytes, 0xab);
  const clients = Array.from(
    { length: job.connections },
    () => new WebSocket(job.url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 }),
  );
  await Promise.all(clients.map((client) => once(client, 'open')));
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  process.send?.('ready');
  await go;
  const cpuBefore = process.cpuUsage();
  await Promise.all(clients.map((client) => echo(client, payload, job.count, job.window)));
  const cpu = process.cpuUsage(cpuBefore);
  process.send?.({ clientCpuSeconds: (cpu.user + cpu.system) / 1e6 } satisfies ToParent);
  await Promise.all(
    clients.map((client) => {
      client.close();
      return once(client, 'close');
    }),
  );
  process.disconnect();
}

if (process.argv.includes('--driver')) {
  process.once('message', (job) => {
    driver(job as Job).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
}
