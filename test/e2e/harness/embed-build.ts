// The <livedrop-upload> module under test, built with vite.embed.config.ts into a temporary directory
// named after a hash of its sources (as web-build.ts does for the page), so the tests never serve a
// stale build nor touch dist/embed.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { EMBED_SCRIPT } from '../../../server/embed-route.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CONFIG = join(ROOT, 'vite.embed.config.ts');

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const web = join(ROOT, 'web');
  for (const name of (await readdir(web, { recursive: true })).sort()) {
    if (!name.endsWith('.ts')) continue;
    hash.update(name).update(await readFile(join(web, name)));
  }
  hash.update(await readFile(CONFIG));
  return hash.digest('hex').slice(0, 16);
}

export async function builtEmbed(): Promise<string> {
  const dir = join(tmpdir(), `livedrop-e2e-embed-${await sourceHash()}`);
  if (existsSync(join(dir, EMBED_SCRIPT))) return dir;
  const staging = `${dir}.staging-${process.pid}-${Date.now()}`;
  await build({
    configFile: CONFIG,
    root: ROOT,
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
