// livedrop's version, from the package.json above this file: server/ (tsx, tests), dist/server/
// (npm start, the CLI), or wherever a build was put.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let version: string | undefined;

function findVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
    if (manifest.name === 'livedrop') return manifest.version;
  }
  return '0.0.0';
}

export function packageVersion(): string {
  version ??= findVersion();
  return version;
}
