// The UI under test, built with Vite's build() API into a temporary directory named after a hash of
// web/'s sources. Building there (not into dist/web) means the tests never serve a stale build and
// never clobber the one `npm start` serves; test files running in parallel share one build (the
// first to finish renames its staging directory into place, the others discard theirs).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';

const ROOT = resolve(import.meta.dirname, '../../..');
const WEB = join(ROOT, 'web');

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const names = (await readdir(WEB, { recursive: true })).sort();
  for (const name of names) {
    const path = join(WEB, name);
    const content = await readFile(path).catch(() => null); // directories
    if (content) hash.update(name).update(content);
  }
  hash.update(await readFile(join(ROOT, 'vite.config.ts')));
  return hash.digest('hex').slice(0, 16);
}

export async function builtUi(): Promise<string> {
  const dir = join(tmpdir(), `livedrop-e2e-ui-${await sourceHash()}`);
  if (existsSync(join(dir, 'index.html'))) return dir;
  const staging = `${dir}.staging-${process.pid}-${Date.now()}`;
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    root: WEB,
    // Relative asset URLs, so the same build works under any path (the tests serve it at /e2e/).
    base: './',
    logLevel: 'warn',
    build: { outDir: staging, emptyOutDir: true },
  });
  try {
    await rename(staging, dir);
  } catch {
    await rm(staging, { recursive: true, force: true }); // another test file won the race
  }
  return dir;
}
