// Servers are measured as plain compiled JavaScript, never through the tsx loader, so the numbers do
// not include on-the-fly transpiling and both sides of each comparison run the same way. One tsc pass
// compiles the livedrop server, the baselines and the ws:echo / ws:chat entry points into
// bench/results/build/ (git-ignored), keeping the repository's layout under it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
const resultsDir = join(repoRoot, 'bench/results');
const buildDir = join(resultsDir, 'build');

/** Set by run-all after it has built once, so each benchmark script does not compile again. */
const SKIP_ENV = 'LIVEDROP_BENCH_BUILT';

const npmScript = (name: string): string[] => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return pkg.scripts?.[name]?.split(/\s+/) ?? [];
};

/** The TypeScript file an npm script runs (`tsx server/ws/echo-server.ts` → that path), if any. */
export function scriptEntry(scriptName: string): string | undefined {
  return npmScript(scriptName).find((word) => word.endsWith('.ts'));
}

/** The node options `npm start` runs the server with (`node --flag dist/server/main.js` → ['--flag']). */
export function startNodeArgs(): string[] {
  const words = npmScript('start');
  return words[0] === 'node' ? words.slice(1).filter((word) => word.startsWith('--')) : [];
}

/** Where the compiled JavaScript of a repository-relative .ts file lands. */
export function compiled(tsPath: string): string {
  return join(buildDir, tsPath.replace(/\.ts$/, '.js'));
}

/** Compiles everything a benchmark starts (once per run-all; each standalone script compiles afresh). */
export function buildServers(): void {
  if (process.env[SKIP_ENV] === '1' && existsSync(compiled('server/main.ts'))) return;
  mkdirSync(resultsDir, { recursive: true });
  const entries = ['ws:echo', 'ws:chat'].map(scriptEntry).filter((entry) => entry !== undefined);
  const tsconfig = join(resultsDir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: relative(resultsDir, join(repoRoot, 'tsconfig.json')),
      compilerOptions: { lib: ['ES2023'], noEmit: false, outDir: 'build', rootDir: '../..', sourceMap: true },
      include: ['../../server', '../../bench/baselines', ...entries.map((entry) => `../../${entry}`)],
    }),
  );
  try {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], {
      stdio: 'pipe',
    });
  } catch (error) {
    // tsc still emits on type errors; only a missing output is fatal.
    if (!existsSync(compiled('server/main.ts'))) throw error;
    process.stderr.write(`bench: tsc reported errors, using what it emitted:\n${String(error)}\n`);
  }
  process.env[SKIP_ENV] = '1';
}
