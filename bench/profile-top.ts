// Reads a V8 .cpuprofile (from `BENCH_CPU_PROF=dir npm run bench`, or `node --cpu-prof`) and prints
// where the time went: self time per function, heaviest first, and the share spent outside JavaScript
// ("(program)" is native code such as syscalls and hashing, "(garbage collector)" is GC).
// Usage: tsx bench/profile-top.ts FILE.cpuprofile [--top N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' } },
  allowPositionals: true,
});
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const hitsById = new Map<number, number>();
  for (const id of profile.samples) hitsById.set(id, (hitsById.get(id) ?? 0) + 1);
  const selfByFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? ` ${url.replace(/^.*\/(node_modules|build)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where}`;
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + (hitsById.get(node.id) ?? 0));
  }
  const total = profile.samples.length;
  console.log(`\n${file}: ${total} samples`);
  const rows = [...selfByFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
  for (const [name, hits] of rows) console.log(`${((hits / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
}
