// Checks a file against GET /api/config before it is sent, so a file the server would refuse is
// refused at once with the same message instead of after its bytes have crossed the network.
import type { ServerConfig } from './api-types.js';
import { locale } from './locale.js';

export interface FileFacts {
  name: string;
  size: number;
  type: string;
}

/** `image/png` matches `image/png` and `image/*` (case-insensitive); an empty list allows anything. */
export function typeAllowed(type: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  const t = type.toLowerCase();
  return patterns.some((p) => {
    const pattern = p.toLowerCase();
    return pattern.endsWith('/*') ? t.startsWith(pattern.slice(0, -1)) : t === pattern;
  });
}

/** Why the server would refuse this file, or null when it may be sent. */
export function refusal(file: FileFacts, config: ServerConfig): string | null {
  if (file.size > config.maxFileSize) return locale.fileTooLarge(config.maxFileSize);
  if (!typeAllowed(file.type || 'application/octet-stream', config.allowedTypes)) {
    return locale.typeNotAllowed(file.type || 'application/octet-stream', config.allowedTypes);
  }
  return null;
}

export interface Sorted<F extends FileFacts> {
  accepted: F[];
  rejected: { file: F; reason: string }[];
  /** Files beyond config.maxFiles in one batch (the server's per-request limit, applied per drop). */
  leftOut: number;
}

export function sortFiles<F extends FileFacts>(files: readonly F[], config: ServerConfig): Sorted<F> {
  const sorted: Sorted<F> = {
    accepted: [],
    rejected: [],
    leftOut: Math.max(0, files.length - config.maxFiles),
  };
  for (const file of files.slice(0, config.maxFiles)) {
    const reason = refusal(file, config);
    if (reason === null) sorted.accepted.push(file);
    else sorted.rejected.push({ file, reason });
  }
  return sorted;
}
