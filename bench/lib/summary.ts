// The summary table printed at the end of `npm run bench`: one row per bench and target, each figure
// followed by its ratio to the baseline row of the same bench in the same run. Markdown, so it can be
// pasted into BENCHMARKS.md as it is.
import type { Result } from './report.js';

/** Descriptive fields that are not figures to compare. */
const NOT_FIGURES = new Set([
  'bench',
  'target',
  'baseline',
  'skipped',
  'note',
  'rounds',
  'connections',
  'watchers',
  'uploads',
  'samples',
  'targetP99Ms',
  'targetPct',
  'limitMiB',
  'fileMiB',
]);

const figures = (result: Result) =>
  Object.entries(result).filter(
    (entry): entry is [string, number] => !NOT_FIGURES.has(entry[0]) && typeof entry[1] === 'number',
  );

export function summaryTable(results: readonly Result[]): string {
  const rows = ['| bench | target | figures (× baseline of the same run) |', '|---|---|---|'];
  for (const result of results) {
    if (result.skipped) {
      rows.push(
        `| ${result.bench} | ${result.target} | not measured: ${result.skipped.replaceAll('|', '/')} |`,
      );
      continue;
    }
    const baseline = results.find((r) => r.bench === result.bench && r.baseline && !r.skipped);
    const cells = figures(result).map(([metric, value]) => {
      const base = baseline?.[metric];
      const ratio =
        !result.baseline && typeof base === 'number' && base !== 0 ? ` (${(value / base).toFixed(2)}×)` : '';
      return `${metric} ${value}${ratio}`;
    });
    const name = result.baseline ? `${result.target} (baseline)` : result.target;
    rows.push(`| ${result.bench} | ${name} | ${cells.join(', ')} |`);
  }
  return rows.join('\n');
}
