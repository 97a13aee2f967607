// An image upload shown large, from its content URL (the server serves PNG, JPEG, GIF, WebP and AVIF
// inline, never SVG). A modal <dialog>: the browser traps focus in it, Escape closes it, and focus
// returns to the button that opened it.
import { el, setText } from './element.js';
import { locale } from './locale.js';

export class Lightbox {
  readonly #dialog: HTMLDialogElement;
  readonly #image: HTMLImageElement;
  readonly #caption: HTMLElement;
  readonly #close: HTMLButtonElement;

  constructor(dialog: HTMLDialogElement) {
    this.#dialog = dialog;
    this.#image = el('img', 'lightbox-image', { alt: '' });
    this.#caption = el('p', 'lightbox-caption', { id: 'lightbox-caption' });
    this.#close = el('button', 'button small', { type: 'button' }, locale.close);
    this.#close.onclick = () => dialog.close();
    dialog.setAttribute('aria-labelledby', 'lightbox-caption');
    dialog.append(el('div', 'lightbox-bar', {}, this.#caption, this.#close), this.#image);
    // A click on the backdrop (the dialog itself, outside the image) closes it too.
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) dialog.close();
    });
    dialog.addEventListener('close', () => this.#image.removeAttribute('src'));
  }

  open(src: string, name: string): void {
    this.#image.alt = name;
    this.#image.src = src;
    setText(this.#caption, name);
    this.#dialog.showModal();
    this.#close.focus();
  }
}
