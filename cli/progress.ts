// Per-file progress bars for upload and get (cli-progress, on stderr when it is a terminal): the
// bytes sent (or received), the bytes the server has stored, speed and ETA.
import cliProgress from 'cli-progress';
import { formatBytes, formatSpeed, SpeedMeter } from './format.js';

export interface TransferBar {
  /** `done` bytes moved so far; `stored` what the server reports it holds, when known. */
  update(done: number, stored?: number): void;
  /** The transfer goes on from `offset` (a resumed upload): speed and ETA count from there. */
  resumedAt(offset: number): void;
}

const NAME_WIDTH = 24;

const fitName = (name: string) =>
  name.length > NAME_WIDTH ? `${name.slice(0, NAME_WIDTH - 1)}…` : name.padEnd(NAME_WIDTH);

export class TransferBars {
  readonly #multi: cliProgress.MultiBar | undefined;

  /** `verb` labels the moving count: "sent" for uploads, "got" for downloads. */
  constructor(
    enabled: boolean,
    readonly verb: 'sent' | 'got',
  ) {
    this.#multi = enabled
      ? new cliProgress.MultiBar(
          {
            format:
              verb === 'sent'
                ? '{name} {bar} {percentage}% | sent {done} | stored {stored} / {size} | {speed} | ETA {eta_formatted}'
                : '{name} {bar} {percentage}% | got {done} / {size} | {speed} | ETA {eta_formatted}',
            barsize: 20,
            hideCursor: true,
            etaBuffer: 50,
            fps: 8,
            autopadding: true,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  }

  add(name: string, size: number, startAt = 0): TransferBar {
    const multi = this.#multi;
    if (!multi) return { update() {}, resumedAt() {} };
    let meter = new SpeedMeter(startAt);
    let stored = startAt;
    const payload = (done: number, speed: number) => ({
      name: fitName(name),
      done: formatBytes(done),
      stored: formatBytes(stored),
      size: formatBytes(size),
      speed: formatSpeed(speed),
    });
    // cli-progress divides by the total: an empty file is shown as 1 of 1 once done.
    const bar = multi.create(Math.max(size, 1), size === 0 ? 0 : startAt, payload(startAt, 0));
    return {
      update(done, storedNow) {
        if (storedNow !== undefined) stored = Math.max(stored, storedNow);
        bar.update(size === 0 ? 1 : done, payload(done, meter.update(done)));
      },
      resumedAt(offset) {
        meter = new SpeedMeter(offset);
        stored = Math.max(stored, offset);
        bar.start(Math.max(size, 1), size === 0 ? 0 : offset, payload(offset, 0));
      },
    };
  }

  /** Writes a line above the bars (or to stderr when there are none). */
  log(line: string): void {
    if (this.#multi) this.#multi.log(`${line}\n`);
    else process.stderr.write(`${line}\n`);
  }

  stop(): void {
    // A redraw first: lines passed to log() are written on the next redraw, which stop() skips.
    this.#multi?.update();
    this.#multi?.stop();
  }
}
