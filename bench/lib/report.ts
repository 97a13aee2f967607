// Every benchmark prints its results the same way: one JSON object per line on stdout, e.g.
// {"bench":"ingest","target":"raw-pipe","baseline":true,"mbPerS":812.4,"cpuSPerGiB":1.21,"rounds":3}
// Progress and notes go to stderr, so stdout stays machine-readable. run-all collects the lines and
// prints the summary table; each figure is the median over interleaved rounds of one run.
import { parseArgs } from 'node:util';

export interface Result {
  bench: string;
  target: string;
  /** The row the others of the same bench are divided by in the summary. */
  baseline?: boolean;
  /** Set instead of figures when the target could not be measured, saying why. */
  skipped?: string;
  note?: string;
  [metric: string]: number | string | boolean | undefined;
}

export function emit(result: Result): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function log(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds to 3 significant digits: enough for noisy timings, short in JSON. */
export function round3(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(3)) : value;
}

/** Round r visits the targets starting at r, so no target always runs first (or right after a heavy one). */
export function rotated<T>(items: readonly T[], round: number): T[] {
  const start = round % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

export interface BenchOptions {
  quick: boolean;
  rounds?: number;
}

/** The flags every benchmark script accepts: `--quick` (short smoke run) and `--rounds N`. */
export function benchOptions(): BenchOptions {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, rounds: { type: 'string' } },
    strict: false,
  });
  const rounds = typeof values.rounds === 'string' ? Number(values.rounds) : undefined;
  return { quick: values.quick === true, rounds: rounds && rounds > 0 ? rounds : undefined };
}

export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;
