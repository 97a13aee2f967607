// A FastifyBaseLogger for storage tests that keeps the warnings, so a test can say what was reported.
import type { FastifyBaseLogger } from 'fastify';

export function recordingLog(): FastifyBaseLogger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = () => {};
  const log = {
    warnings,
    level: 'warn',
    fatal: ignore,
    error: ignore,
    info: ignore,
    debug: ignore,
    trace: ignore,
    silent: ignore,
    warn: (...args: unknown[]) => {
      warnings.push(String(args.find((arg) => typeof arg === 'string') ?? ''));
    },
    child: () => log,
  };
  return log as unknown as FastifyBaseLogger & { warnings: string[] };
}
