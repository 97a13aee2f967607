// The child processes of the progress-latency benches (bench/lib/latency.ts forks them): 'watchers'
// opens N WebSocket watchers (a sample of them time every progress event they see), 'prober' stats
// the temp files of an UPLOAD_DIR every few ms (when bytes reached the disk). Driven by messages:
// open / close / report, and start / report.
import { readdirSync, statSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { type Growth, now, type ProbeReport, percentile, type WatcherReport } from './latency.js';

/** Runs in a child: opens and closes the watchers on command, reports what they saw. */
function runWatchers(url: string, count: number, sampled: number): void {
  let sockets: WebSocket[] = [];
  let report: WatcherReport = { sightings: [], messages: 0, completed: 0, closed: 0 };
  const open = async () => {
    for (let i = 0; i < count; i++) {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      const sample = i < sampled;
      socket.on('message', (data) => {
        report.messages++;
        const text = String(data);
        // Only sampled watchers parse every event; the rest look for completions with a cheap test.
        if (sample) {
          const event = JSON.parse(text);
          if (event.type === 'upload.progress' || event.type === 'upload.completed') {
            report.sightings.push([i, event.upload.id, event.upload.ref, event.upload.size, now()]);
          }
        }
        if (text.startsWith('{"type":"upload.completed"')) report.completed++;
      });
      socket.on('close', (code) => {
        if (code !== 1005 && code !== 1006) report.closed++;
      });
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      sockets.push(socket);
    }
  };
  process.on('message', async (message: string) => {
    if (message === 'open') {
      await open();
      process.send?.('opened');
    } else if (message === 'close') {
      for (const socket of sockets) socket.terminate();
      sockets = [];
      process.send?.('closed');
    } else if (message === 'report') {
      process.send?.(report);
      report = { sightings: [], messages: 0, completed: 0, closed: 0 };
    }
  });
  process.send?.('ready');
}

/** Runs in a child: stats every file in `tempDir` every `everyMs` while told to. */
function runProber(tempDir: string, everyMs: number): void {
  // The prober is the stopwatch, not the system under test: ahead of the others in the CPU queue
  // (when allowed; as root on a shared 2-core machine its poll gap otherwise reaches 100+ ms).
  try {
    setPriority(-10);
  } catch {}
  let growth = new Map<string, Growth[]>();
  const lastStat = new Map<string, number>();
  let gaps: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastPoll = 0;
  const poll = () => {
    const started = now();
    if (lastPoll !== 0) gaps.push(started - lastPoll);
    // A file new since the last poll got its bytes after that poll began.
    const previousPoll = lastPoll || started;
    lastPoll = started;
    let names: string[] = [];
    try {
      names = readdirSync(tempDir);
    } catch {}
    for (const name of names) {
      if (name.endsWith('.json')) continue; // a sidecar being committed
      let size: number;
      const before = lastStat.get(name) ?? previousPoll;
      try {
        size = statSync(join(tempDir, name)).size;
      } catch {
        continue; // renamed into place since readdir
      }
      const seen = now();
      lastStat.set(name, seen);
      const list = growth.get(name);
      if (list === undefined) growth.set(name, [[size, before, seen]]);
      else if (size > list[list.length - 1]![0]) list.push([size, before, seen]);
    }
    timer = setTimeout(poll, everyMs);
  };
  process.on('message', (message: string) => {
    if (message === 'start') {
      growth = new Map();
      lastStat.clear();
      gaps = [];
      lastPoll = 0;
      poll();
      process.send?.('started');
    } else if (message === 'report') {
      clearTimeout(timer);
      const sorted = gaps.sort((a, b) => a - b);
      const report: ProbeReport = {
        growth: Object.fromEntries(growth),
        gapP99Ms: percentile(sorted, 99),
        gapMaxMs: sorted.at(-1) ?? Number.NaN,
      };
      process.send?.(report);
    }
  });
  process.send?.('ready');
}

const role = process.argv[process.argv.indexOf('--role') + 1];
if (role === 'watchers') {
  runWatchers(process.env.BENCH_URL!, Number(process.env.BENCH_WATCHERS), Number(process.env.BENCH_SAMPLED));
} else if (role === 'prober') {
  runProber(process.env.BENCH_TEMP_DIR!, Number(process.env.BENCH_PROBE_MS));
}
