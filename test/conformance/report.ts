// `npm run conformance [-- --ours URL --ws URL]`: runs the suite against our core and against `ws`
// (by default both started in-process on free ports) and prints the results side by side.
import { parseArgs } from 'node:util';
import { startEchoServer } from '../../server/ws/echo-server.js';
import { conformanceCases } from './cases.js';
import { knownWsDifferences } from './known-ws-differences.js';
import { startWsEchoServer } from './reference-server.js';
import { runSuite } from './run-suite.js';

const { values } = parseArgs({ options: { ours: { type: 'string' }, ws: { type: 'string' } } });
const ours = values.ours === undefined ? await startEchoServer() : undefined;
const reference = values.ws === undefined ? await startWsEchoServer() : undefined;
const oursUrl = values.ours ?? ours!.url;
const wsUrl = values.ws ?? reference!.url;

const started = Date.now();
const oursResults = await runSuite(oursUrl);
const wsResults = await runSuite(wsUrl);
await ours?.close();
await reference?.close();

const cell = (r: { verdict: string; detail: string }) => `${r.verdict} (${r.detail})`;
const rows = conformanceCases.map((c, i) => [
  c.id,
  c.description,
  cell(oursResults[i]!),
  cell(wsResults[i]!),
]);
const widths = [0, 1, 2, 3].map((col) => Math.max(...rows.map((row) => row[col]!.length), 10));
const line = (row: string[]) =>
  `| ${row.map((cellText, col) => cellText.padEnd(widths[col]!)).join(' | ')} |`;
console.log(line(['case', 'description', `ours (${oursUrl})`, `ws (${wsUrl})`]));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));

const tally = (results: { verdict: string }[]) =>
  ['OK', 'NON-STRICT', 'FAILED']
    .map((v) => `${results.filter((r) => r.verdict === v).length} ${v}`)
    .join(', ');
console.log(`\n${conformanceCases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`ours: ${tally(oursResults)}`);
console.log(`ws:   ${tally(wsResults)}`);
const differing = wsResults.filter((r) => r.verdict !== 'OK');
for (const r of differing) {
  const known = knownWsDifferences[r.id];
  console.log(
    `ws ${r.id}: ${r.verdict}${known ? ` — known: ${known.why}` : ' — NOT in the known-differences list'}`,
  );
}
