// The Uppy test page (test/e2e/uppy-page/), bundled by Vite into a temporary directory, like the UI.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';

export async function builtUppyPage(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'livedrop-e2e-uppy-'));
  await build({
    configFile: false,
    root: resolve(import.meta.dirname, '../uppy-page'),
    base: './',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
