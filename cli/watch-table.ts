// The state behind `livedrop watch`: uploads in progress (and, for a few seconds, the ones that
// just ended), fed by live events, rendered as a table like `docker stats`.
import cliProgress from 'cli-progress';
import type { Upload } from '../server/uploads/upload.js';
import type { FeedMessage } from './feed.js';
import { formatBytes, formatDuration, formatSpeed, SpeedMeter } from './format.js';
import { table } from './output.js';

/** How long an upload that ended stays on screen, so its last state (100 %, failed) can be read. */
export const ENDED_ROW_MS = 10_000;

const ENDED = new Set(['completed', 'failed', 'aborted']);
const BAR_SIZE = 20;
const barOptions = {
  barsize: BAR_SIZE,
  barCompleteString: cliProgress.Presets.shades_classic.barCompleteChar.repeat(BAR_SIZE),
  barIncompleteString: cliProgress.Presets.shades_classic.barIncompleteChar.repeat(BAR_SIZE),
  barGlue: '',
};

interface Row {
  upload: Upload;
  meter: SpeedMeter;
  speed: number;
  endedAt: number | undefined;
  error: string | undefined;
}

export class WatchTable {
  readonly #rows = new Map<string, Row>();
  watchers = 0;
  connected = true;

  /** Applies one feed message; returns whether anything visible changed. */
  apply(message: FeedMessage, now = Date.now()): void {
    if (message.type === 'snapshot') {
      this.watchers = message.watchers;
      this.#rows.clear();
      for (const upload of message.uploads) if (!ENDED.has(upload.status)) this.#upsert(upload, now);
      return;
    }
    if (message.type === 'watchers') {
      this.watchers = message.count;
      return;
    }
    if (message.type === 'upload.deleted') {
      this.#rows.delete(message.upload.id);
      return;
    }
    const row = this.#upsert(message.upload as Upload, now);
    if ('error' in message && message.error) row.error = message.error.code;
    // A paused resumable upload that passed its expiry is gone, whatever status it still carries.
    if ((message.type as string) === 'upload.expired') {
      row.error = 'expired';
      row.endedAt ??= now;
    }
  }

  #upsert(upload: Upload, now: number): Row {
    let row = this.#rows.get(upload.id);
    if (!row) {
      row = {
        upload,
        meter: new SpeedMeter(upload.size, now),
        speed: 0,
        endedAt: undefined,
        error: undefined,
      };
      this.#rows.set(upload.id, row);
    }
    row.upload = upload;
    row.speed = row.meter.update(upload.size, now);
    if (ENDED.has(upload.status)) row.endedAt ??= now;
    return row;
  }

  /** Drops rows that ended more than ENDED_ROW_MS ago. */
  prune(now = Date.now()): void {
    for (const [id, row] of this.#rows)
      if (row.endedAt !== undefined && now - row.endedAt > ENDED_ROW_MS) this.#rows.delete(id);
  }

  get inProgress(): number {
    return [...this.#rows.values()].filter((row) => row.endedAt === undefined).length;
  }

  render(server: string, width: number): string {
    const head = `livedrop watch  ${server}  ·  ${this.inProgress} in progress  ·  ${this.watchers} watching${
      this.connected ? '' : '  ·  reconnecting…'
    }`;
    const rows = [...this.#rows.values()].map(({ upload, speed: lastSpeed, error }) => {
      const total = upload.expected ?? (upload.status === 'completed' ? upload.size : null);
      const progress = total ? Math.min(1, upload.size / total) : upload.status === 'completed' ? 1 : 0;
      const percent =
        total || upload.status === 'completed' ? `${Math.floor(progress * 100)}%`.padStart(4) : '   ?';
      const speed = upload.status === 'uploading' ? lastSpeed : 0;
      const eta = speed > 0 && total ? (total - upload.size) / speed : undefined;
      return [
        upload.id.slice(0, 8),
        upload.name.length > 28 ? `${upload.name.slice(0, 27)}…` : upload.name,
        error ? `${upload.status} ${error}` : upload.status,
        `${cliProgress.Format.BarFormat(progress, barOptions as never)} ${percent}`,
        `${formatBytes(upload.size)} / ${total === null ? '?' : formatBytes(total)}`,
        speed > 0 ? formatSpeed(speed) : '-',
        upload.status === 'uploading' ? formatDuration(eta) : '-',
      ];
    });
    const lines = rows.length
      ? table([['ID', 'NAME', 'STATUS', 'PROGRESS', 'STORED / SIZE', 'SPEED', 'ETA'], ...rows])
      : ['no uploads in progress'];
    return [head, '', ...lines].map((line) => line.slice(0, width)).join('\n');
  }
}

/** One plain line per message, for a pipe: `EVENT  ID  STORED/SIZE  STATUS  NAME` (tab-separated). */
export function plainLine(message: FeedMessage): string | undefined {
  if (message.type === 'snapshot')
    return `snapshot\t${message.uploads.length} uploads\t${message.watchers} watching`;
  if (message.type === 'watchers') return `watchers\t${message.count}`;
  if (message.type === 'upload.deleted') return `${message.type}\t${message.upload.id}`;
  const upload = message.upload as Upload;
  const error = 'error' in message && message.error ? `\t${message.error.code}` : '';
  return `${message.type}\t${upload.id}\t${upload.size}/${upload.expected ?? '?'}\t${upload.name}${error}`;
}
