// Numbers as a person reads them in a terminal: binary byte units, short durations.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB"; whole bytes below 1 KiB. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export const formatSpeed = (bytesPerSecond: number) => `${formatBytes(Math.round(bytesPerSecond))}/s`;

/** 75 → "1m15s"; "-" when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Bytes per second, smoothed with an exponential moving average (as Uppy does before showing an
 * ETA) so the figure does not jump with every chunk.
 */
export class SpeedMeter {
  readonly #startBytes: number;
  readonly #startAt: number;
  #lastBytes: number;
  #lastAt: number;
  #speed = 0;

  constructor(startBytes = 0, now = Date.now()) {
    this.#startBytes = startBytes;
    this.#lastBytes = startBytes;
    this.#startAt = now;
    this.#lastAt = now;
  }

  /** Reports a new byte count; returns the smoothed speed. */
  update(bytes: number, now = Date.now()): number {
    const elapsed = (now - this.#lastAt) / 1000;
    if (elapsed < 0.2) {
      // Too soon for a sample of its own; until the first one, the average so far.
      if (this.#speed === 0 && now > this.#startAt) {
        return ((bytes - this.#startBytes) * 1000) / (now - this.#startAt);
      }
      return this.#speed;
    }
    const instant = Math.max(0, bytes - this.#lastBytes) / elapsed;
    this.#speed = this.#speed === 0 ? instant : 0.7 * this.#speed + 0.3 * instant;
    this.#lastBytes = bytes;
    this.#lastAt = now;
    return this.#speed;
  }
}
