// Exponential backoff with jitter, for reconnecting the live feed and retrying failed uploads.
// "Equal jitter" (half fixed, half random) keeps a floor under the delay while spreading out clients
// that all lost the same server at the same moment, so they do not come back in lockstep.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  factor: number;
}

export const feedBackoff = { baseMs: 500, maxMs: 10_000, factor: 2 } satisfies BackoffOptions;
export const uploadBackoff = { baseMs: 1000, maxMs: 16_000, factor: 2 } satisfies BackoffOptions;

/** Delay before retry number `attempt` (0 = first retry), in [d/2, d] where d = min(max, base·factor^attempt). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * options.factor ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
