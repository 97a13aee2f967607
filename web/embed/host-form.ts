// The host page's form: the element puts one hidden input per finished upload into it (light DOM,
// so the form submits the ids, never the bytes), and holds its submit back while uploads run. The
// listener sits on the document in the capture phase so it runs before the host's own submit handlers.

export interface SubmitGate {
  /** Uploads still running. */
  running(): number;
  failed(): number;
  done(): number;
  required(): boolean;
  /** Resolves once nothing runs any more. */
  settled(): Promise<void>;
  /** Shows (or clears, with '') the element's message about the form. */
  say(message: string, kind: 'waiting' | 'blocked' | ''): void;
  messages: { waiting(count: number): string; failed(): string; required(): string };
}

/** The form the element belongs to: its `form` attribute (by id), else the nearest ancestor form. */
export function hostForm(element: HTMLElement): HTMLFormElement | null {
  const id = element.getAttribute('form');
  if (id) {
    const form = element.ownerDocument.getElementById(id);
    return form instanceof HTMLFormElement ? form : null;
  }
  return element.closest('form');
}

export function idInput(element: HTMLElement, name: string, id: string): HTMLInputElement {
  const input = element.ownerDocument.createElement('input');
  input.type = 'hidden';
  input.name = name;
  input.value = id;
  const form = element.getAttribute('form');
  if (form) input.setAttribute('form', form);
  return input;
}

export function guardSubmit(form: HTMLFormElement, gate: SubmitGate): () => void {
  let waiting = false;
  const onSubmit = (event: Event) => {
    if (event.target !== form) return;
    const running = gate.running();
    const problem =
      running > 0
        ? 'waiting'
        : gate.failed() > 0
          ? 'failed'
          : gate.required() && gate.done() === 0
            ? 'required'
            : null;
    if (problem === null) {
      gate.say('', '');
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (problem === 'failed') return gate.say(gate.messages.failed(), 'blocked');
    if (problem === 'required') return gate.say(gate.messages.required(), 'blocked');
    gate.say(gate.messages.waiting(running), 'waiting');
    if (waiting) return;
    waiting = true;
    const submitter = (event as SubmitEvent).submitter;
    void gate.settled().then(() => {
      waiting = false;
      // Submits again as the visitor asked (same button); this listener lets it through or says why not.
      const button = submitter && (submitter as HTMLButtonElement).form === form ? submitter : undefined;
      form.requestSubmit(button as HTMLElement | undefined);
    });
  };
  const doc = form.ownerDocument;
  doc.addEventListener('submit', onSubmit, true);
  return () => doc.removeEventListener('submit', onSubmit, true);
}
