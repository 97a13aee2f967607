// Upload benchmarks write into a RAM-backed tmpfs so that the disk does not dominate the figures:
// what is measured is the servers' own work per byte. Mounting needs root; without it the benchmark
// falls back to a directory under os.tmpdir() and says so in its results.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScratchDir {
  path: string;
  /** 'tmpfs', or why it is a plain directory instead. */
  kind: string;
  /** A fresh, empty subdirectory for one server. */
  subdir(name: string): string;
  removeSubdir(dir: string): void;
  release(): void;
}

export function mountScratch(sizeBytes: number): ScratchDir {
  const path = mkdtempSync(join(tmpdir(), 'livedrop-bench-'));
  let kind = 'tmpfs';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(sizeBytes / 1024 ** 2)}m`, 'tmpfs', path], {
      stdio: 'pipe',
    });
  } catch (error) {
    kind = `os.tmpdir() (tmpfs mount failed: ${String(error).split('\n')[0]})`;
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('SIGINT', releaseAndExit);
    process.off('SIGTERM', releaseAndExit);
    if (kind === 'tmpfs') {
      try {
        execFileSync('umount', [path], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', path], { stdio: 'pipe' });
      }
    }
    rmSync(path, { recursive: true, force: true });
  };
  // An interrupted benchmark (Ctrl-C, timeout) must not leave a tmpfs mounted behind it.
  const releaseAndExit = () => {
    release();
    process.exit(130);
  };
  process.once('SIGINT', releaseAndExit);
  process.once('SIGTERM', releaseAndExit);
  return {
    path,
    kind,
    subdir(name) {
      const dir = join(path, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    removeSubdir(dir) {
      rmSync(dir, { recursive: true, force: true });
    },
    release,
  };
}

/**
 * Deletes the regular files a round stored, keeping directories (livedrop's `.tmp/` must survive while
 * its server runs), so the next round starts with an empty tmpfs.
 */
export function removeStoredFiles(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) rmSync(join(dir, entry.name), { force: true });
  }
}
