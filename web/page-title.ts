// The tab's title shows this browser's overall progress while it uploads ("42 % · livedrop"), so a
// long upload can be followed from another tab. Updated at most four times a second, by a timer
// rather than animation frames, which background tabs do not get.
import { locale } from './locale.js';

export interface Progressing {
  status: string;
  sent: number;
  file: { size: number };
}

const ACTIVE = new Set(['preparing', 'queued', 'uploading', 'processing', 'waiting']);

/** The title for these uploads: the plain name when nothing is moving. */
export function progressTitle(items: readonly Progressing[]): string {
  const moving = items.filter((item) => ACTIVE.has(item.status));
  if (moving.length === 0) return locale.appName;
  const size = moving.reduce((sum, item) => sum + item.file.size, 0);
  const sent = moving.reduce((sum, item) => sum + Math.min(item.sent, item.file.size), 0);
  const percent = size === 0 ? 0 : Math.floor((sent / size) * 100);
  return locale.progressTitle(percent);
}

export class PageTitle {
  readonly #items: () => readonly Progressing[];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(items: () => readonly Progressing[]) {
    this.#items = items;
  }

  changed(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const title = progressTitle(this.#items());
      if (document.title !== title) document.title = title;
    }, 250);
  }
}
