// Upload speed smoothed with a time-based exponential moving average, then an ETA from it. Raw
// per-event rates jump around (the browser reports progress in bursts as socket buffers drain);
// smoothing over a couple of seconds gives a number people can read, as Uppy does before getETA.

export interface SpeedOptions {
  /** Time constant of the average: a sample this old weighs 1/e as much as a fresh one. */
  timeConstantMs: number;
  /** Samples closer together than this are accumulated, not averaged (avoids 0 ms divisions). */
  minIntervalMs: number;
}

const defaultOptions = { timeConstantMs: 2000, minIntervalMs: 200 } satisfies SpeedOptions;

export class SpeedMeter {
  readonly #options: SpeedOptions;
  #lastTime: number | undefined;
  #lastBytes = 0;
  #rate: number | undefined;

  constructor(options: Partial<SpeedOptions> = {}) {
    this.#options = { ...defaultOptions, ...options };
  }

  /** Record that `bytes` (a running total) had been sent at time `now` (ms). */
  sample(bytes: number, now: number): void {
    if (this.#lastTime === undefined) {
      this.#lastTime = now;
      this.#lastBytes = bytes;
      return;
    }
    const dt = now - this.#lastTime;
    if (dt < this.#options.minIntervalMs) return;
    const instant = (Math.max(0, bytes - this.#lastBytes) * 1000) / dt;
    // Weight by elapsed time so irregular sampling does not bias the average.
    const alpha = 1 - Math.exp(-dt / this.#options.timeConstantMs);
    this.#rate = this.#rate === undefined ? instant : this.#rate + alpha * (instant - this.#rate);
    this.#lastTime = now;
    this.#lastBytes = bytes;
  }

  /** Smoothed bytes per second, or undefined until two samples far enough apart have been seen. */
  get bytesPerSecond(): number | undefined {
    return this.#rate;
  }
}

/** Seconds left at the given speed, or undefined when the speed is unknown or zero. */
export function estimateSeconds(
  remainingBytes: number,
  bytesPerSecond: number | undefined,
): number | undefined {
  if (bytesPerSecond === undefined || bytesPerSecond <= 0) return undefined;
  return Math.max(0, remainingBytes) / bytesPerSecond;
}
