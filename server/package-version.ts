// livedrop's version, from package.json: seen from server/ (tsx, tests) or dist/server/ (npm start).
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = basename(dirname(here)) === 'dist' ? join(here, '../..') : join(here, '..');

let version: string | undefined;

export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
