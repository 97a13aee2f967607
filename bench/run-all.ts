// `npm run bench`: every benchmark, one after another, each as its own process, then the summary
// table and the targets. Results go to stdout as JSON lines and to bench/results/latest.jsonl;
// the tables also to bench/results/summary.md.
// Usage: npm run bench [-- --quick] [-- --rounds N] [-- --only ingest,ws-fanout]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { buildServers, repoRoot } from './lib/build.js';
import { checkGoals, goalsTable } from './lib/goals.js';
import type { Result } from './lib/report.js';
import { summaryTable } from './lib/summary.js';

/** In running order: the upload benchmarks first, while nothing else has warmed or fragmented memory. */
const BENCHMARKS = [
  'ingest',
  'tus-ingest',
  'memory',
  'upload-memory',
  'ws-echo',
  'ws-fanout',
  'ws-idle',
  'progress-latency',
  'integrations',
  'cluster-latency',
  'library-search',
  's3-ingest',
];
// Not in the list: bench/s3-index.ts (start-up on 10,000 objects) takes about 7 minutes, most of it
// filling the bucket; run it alone (BENCHMARKS.md, "S3 storage").

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    only: { type: 'string' },
  },
});
const only = values.only?.split(',');
const passOn = [...(values.quick ? ['--quick'] : []), ...(values.rounds ? ['--rounds', values.rounds] : [])];

async function runBenchmark(name: string, results: Result[]): Promise<void> {
  const script = join(repoRoot, 'bench', `${name}.ts`);
  if (!existsSync(script)) {
    const result = { bench: name, target: '-', skipped: `bench/${name}.ts is not on this branch yet` };
    results.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stderr.write(`\n▶ ${name}\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...passOn], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith('{')) {
      process.stderr.write(`  ${line}\n`);
      continue;
    }
    process.stdout.write(`${line}\n`);
    results.push(JSON.parse(line) as Result);
  }
  const code = child.exitCode ?? (await new Promise((resolve) => child.once('exit', resolve)));
  if (code !== 0) {
    const result = { bench: name, target: '-', skipped: `bench/${name}.ts exited with ${code}` };
    results.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}

const started = performance.now();
process.stderr.write('building the servers (tsc → bench/results/build)…\n');
buildServers(); // sets LIVEDROP_BENCH_BUILT, which the children inherit
const results: Result[] = [];
for (const name of BENCHMARKS) {
  if (!only || only.includes(name)) await runBenchmark(name, results);
}

const minutes = ((performance.now() - started) / 60_000).toFixed(1);
const report = [
  `## Results (${values.quick ? 'quick smoke run' : 'full run'}, ${minutes} min, ${new Date().toISOString()})`,
  '',
  summaryTable(results),
  '',
  '## Targets',
  '',
  goalsTable(checkGoals(results)),
  '',
].join('\n');
process.stderr.write(`\n${report}`);
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
writeFileSync(
  join(repoRoot, 'bench/results/latest.jsonl'),
  `${results.map((r) => JSON.stringify(r)).join('\n')}\n`,
);
writeFileSync(join(repoRoot, 'bench/results/summary.md'), report);
