// "Delete 12 files from the server?": one modal question with a destructive and a safe answer. The
// safe answer has focus first, so Enter by reflex does not delete anything; Escape also says no.
import { el, setText } from './element.js';
import { locale } from './locale.js';

export class ConfirmDialog {
  readonly #dialog: HTMLDialogElement;
  readonly #message: HTMLElement;
  readonly #yes: HTMLButtonElement;
  readonly #no: HTMLButtonElement;

  constructor(dialog: HTMLDialogElement) {
    this.#dialog = dialog;
    this.#message = el('p', 'confirm-message', { id: 'confirm-message' });
    this.#yes = el('button', 'button danger-solid', { type: 'button', value: 'yes' });
    this.#no = el('button', 'button', { type: 'button', value: 'no' }, locale.cancel);
    dialog.setAttribute('aria-labelledby', 'confirm-message');
    dialog.setAttribute('role', 'alertdialog');
    dialog.append(this.#message, el('div', 'confirm-buttons', {}, this.#no, this.#yes));
    this.#yes.onclick = () => dialog.close('yes');
    this.#no.onclick = () => dialog.close('no');
  }

  ask(message: string, confirm: string): Promise<boolean> {
    setText(this.#message, message);
    setText(this.#yes, confirm);
    this.#dialog.returnValue = 'no';
    this.#dialog.showModal();
    this.#no.focus();
    return new Promise((resolve) =>
      this.#dialog.addEventListener('close', () => resolve(this.#dialog.returnValue === 'yes'), {
        once: true,
      }),
    );
  }
}
