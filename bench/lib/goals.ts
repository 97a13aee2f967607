// The targets of issue 6, checked against one run's results: each is met, missed, or not measured,
// with the figure it was judged on.
import type { Result } from './report.js';

export interface GoalOutcome {
  goal: string;
  status: 'met' | 'MISSED' | 'not measured';
  figure: string;
}

type Lookup = (bench: string, target: string, metric: string) => number | undefined;

interface Goal {
  goal: string;
  /** Returns [met, figure], or undefined when a figure it needs is missing. */
  check(get: Lookup): [boolean, string] | undefined;
}

const ratio = (get: Lookup, bench: string, metric: string, target: string, baseline: string) => {
  const ours = get(bench, target, metric);
  const theirs = get(bench, baseline, metric);
  return ours === undefined || theirs === undefined || theirs === 0 ? undefined : ours / theirs;
};

const ratioGoal = (
  goal: string,
  bench: string,
  metric: string,
  target: string,
  baseline: string,
  ok: (r: number) => boolean,
): Goal => ({
  goal,
  check(get) {
    const r = ratio(get, bench, metric, target, baseline);
    return r === undefined
      ? undefined
      : [
          ok(r),
          `${metric} ${get(bench, target, metric)} vs ${get(bench, baseline, metric)} = ${r.toFixed(2)}×`,
        ];
  },
});

const GOALS: Goal[] = [
  ratioGoal(
    'CHECKSUM=none CPU-s/GiB ≤ 1.2 × raw pipe',
    'ingest',
    'cpuSPerGiB',
    'livedrop-none',
    'raw-pipe',
    (r) => r <= 1.2,
  ),
  ratioGoal(
    'CHECKSUM=none CPU-s/GiB < naive multipart',
    'ingest',
    'cpuSPerGiB',
    'livedrop-none',
    'naive-multipart',
    (r) => r < 1,
  ),
  {
    goal: 'sha256 within 0.6 CPU-s/GiB of none',
    check(get) {
      const sha = get('ingest', 'livedrop', 'cpuSPerGiB');
      const none = get('ingest', 'livedrop-none', 'cpuSPerGiB');
      return sha === undefined || none === undefined
        ? undefined
        : [sha - none <= 0.6, `${sha} − ${none} = ${(sha - none).toFixed(2)} CPU-s/GiB`];
    },
  },
  ratioGoal(
    'peak RSS, 4 × 1 GiB (sha256) ≤ 1.2 × raw pipe',
    'memory',
    'peakRssMiB',
    'livedrop',
    'raw-pipe',
    (r) => r <= 1.2,
  ),
  ratioGoal(
    'peak RSS, 4 × 1 GiB (none) ≤ 1.2 × raw pipe',
    'memory',
    'peakRssMiB',
    'livedrop-none',
    'raw-pipe',
    (r) => r <= 1.2,
  ),
  ratioGoal(
    'tus ingest CPU-s/GiB ≤ 0.5 × @tus/server (FileStore)',
    'tus-ingest',
    'cpuSPerGiB',
    'livedrop-tus',
    'tus-node-server',
    (r) => r <= 0.5,
  ),
  ratioGoal(
    'tus ingest CPU-s/GiB ≤ 1.1 × the multipart path',
    'tus-ingest',
    'cpuSPerGiB',
    'livedrop-tus',
    'livedrop-multipart',
    (r) => r <= 1.1,
  ),
  ratioGoal(
    'tus peak RSS flat in file size (2× size ≤ 1.1 ×)',
    'tus-ingest',
    'peakRssMiB',
    'livedrop-tus-2x',
    'livedrop-tus',
    (r) => r <= 1.1,
  ),
  ratioGoal(
    'small-message echo ≥ 1.0 × ws',
    'ws-echo-small',
    'msgsPerS',
    'livedrop-core',
    'ws',
    (r) => r >= 1,
  ),
  ratioGoal('1 MiB binary echo ≥ 1.5 × ws', 'ws-echo-1mib', 'mbPerS', 'livedrop-core', 'ws', (r) => r >= 1.5),
  // The same target read on the server side: the `ws` clients cost ~3× either server per MiB, so on a
  // 2-core machine the throughput ratio is bounded by the clients; CPU per MiB is each server's own.
  ratioGoal(
    '1 MiB echo server CPU/MiB ≤ ws ÷ 1.5 (server-side reading)',
    'ws-echo-1mib',
    'serverCpuMsPerMiB',
    'livedrop-core',
    'ws',
    (r) => r <= 1 / 1.5,
  ),
  ratioGoal('fan-out ≥ 1.5 × ws', 'ws-fanout', 'deliveriesPerS', 'livedrop-core', 'ws', (r) => r >= 1.5),
  ratioGoal('idle-connection RSS ≤ 1.0 × ws', 'ws-idle', 'rssMiB', 'livedrop-core', 'ws', (r) => r <= 1),
  {
    goal: 'progress latency p99 ≤ 250 ms',
    check(get) {
      const p99 = get('progress-latency', 'livedrop', 'p99Ms');
      return p99 === undefined ? undefined : [p99 <= 250, `p99 ${p99} ms`];
    },
  },
  {
    goal: 'progress latency across nodes (Redis) p99 ≤ 250 ms',
    check(get) {
      const p99 = get('cluster-progress-latency', 'redis-3-nodes', 'p99Ms');
      return p99 === undefined ? undefined : [p99 <= 250, `p99 ${p99} ms`];
    },
  },
  {
    goal: 'watchers cost ≤ 10 % of upload throughput',
    check(get) {
      const cost = get('watcher-cost', 'livedrop', 'watcherCostPct');
      return cost === undefined ? undefined : [cost <= 10, `${cost} %`];
    },
  },
  // Issue 11: multipart uploads into S3 (the Swift test server).
  ratioGoal(
    'S3 ingest CPU-s/GiB ≤ 1.3 × plain lib-storage Upload',
    's3-ingest',
    'cpuSPerGiB',
    'livedrop-s3',
    'lib-storage-upload',
    (r) => r <= 1.3,
  ),
  {
    goal: 'S3 ingest peak RSS ≤ idle + 64 MiB',
    check(get) {
      const over = get('s3-ingest', 'livedrop-s3', 'peakRssOverIdleMiB');
      return over === undefined ? undefined : [over <= 64, `idle + ${over} MiB`];
    },
  },
];

export function checkGoals(results: readonly Result[]): GoalOutcome[] {
  const get: Lookup = (bench, target, metric) => {
    const value = results.find((r) => r.bench === bench && r.target === target && !r.skipped)?.[metric];
    return typeof value === 'number' ? value : undefined;
  };
  return GOALS.map(({ goal, check }) => {
    const outcome = check(get);
    return outcome === undefined
      ? { goal, status: 'not measured', figure: '' }
      : { goal, status: outcome[0] ? 'met' : 'MISSED', figure: outcome[1] };
  });
}

export function goalsTable(outcomes: readonly GoalOutcome[]): string {
  return [
    '| target | status | figure |',
    '|---|---|---|',
    ...outcomes.map((o) => `| ${o.goal} | ${o.status} | ${o.figure} |`),
  ].join('\n');
}
