// A long upload that finishes while the tab is in the background gets a banner (role="status", so it
// is also announced) that stays until dismissed, and a system notification when the user has allowed
// them (the banner offers to). "Long" means it took at least LONG_UPLOAD_MS from its first byte.
import { el, setAttributes, setText } from './element.js';
import { locale } from './locale.js';

export const LONG_UPLOAD_MS = 5000;

export interface BackgroundNoticeElements {
  banner: HTMLElement;
  text: HTMLElement;
  dismiss: HTMLButtonElement;
  notify: HTMLButtonElement;
}

export class BackgroundNotice {
  readonly #e: BackgroundNoticeElements;
  readonly #started = new Map<string, number>();
  #names: string[] = [];

  constructor(elements: BackgroundNoticeElements) {
    this.#e = elements;
    setText(elements.dismiss, locale.dismissBanner);
    setText(elements.notify, locale.notifyMe);
    elements.dismiss.onclick = () => {
      this.#names = [];
      setAttributes(elements.banner, { hidden: true });
    };
    elements.notify.onclick = async () => {
      await Notification.requestPermission().catch(() => 'denied');
      this.#showNotifyButton();
    };
  }

  /** A file from this browser changed state (upload-queue.ts's statuses). */
  changed(ref: string, status: string, name: string): void {
    if (status === 'uploading' && !this.#started.has(ref)) this.#started.set(ref, Date.now());
    if (status !== 'done') return;
    const started = this.#started.get(ref);
    this.#started.delete(ref);
    if (!document.hidden || started === undefined || Date.now() - started < LONG_UPLOAD_MS) return;
    this.#names.push(name);
    setText(this.#e.text, locale.finishedInBackground(this.#names));
    setAttributes(this.#e.banner, { hidden: false });
    this.#showNotifyButton();
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      new Notification(locale.appName, { body: locale.finishedInBackground([name]), tag: 'livedrop-done' });
    }
  }

  #showNotifyButton(): void {
    const ask = typeof Notification !== 'undefined' && Notification.permission === 'default';
    setAttributes(this.#e.notify, { hidden: !ask });
  }
}

/** The banner's markup, built once (index.html holds only its empty container). */
export function buildBanner(banner: HTMLElement): BackgroundNoticeElements {
  const text = el('span', 'banner-text');
  const notify = el('button', 'button small ghost', { type: 'button', hidden: true });
  const dismiss = el('button', 'button small ghost', { type: 'button' });
  banner.append(text, el('span', 'banner-buttons', {}, notify, dismiss));
  return { banner, text, dismiss, notify };
}
