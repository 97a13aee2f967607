// The three ways files come in: dropped anywhere on the page (with a full-page drop state), chosen
// with the picker button, or pasted (Ctrl/Cmd+V), including screenshots pasted as image data.

export interface IntakeElements {
  pickButton: HTMLButtonElement;
  input: HTMLInputElement;
  overlay: HTMLElement;
}

export function acceptFiles(elements: IntakeElements, take: (files: File[]) => void): void {
  const { pickButton, input, overlay } = elements;

  pickButton.onclick = () => input.click();
  input.onchange = () => {
    if (input.files && input.files.length > 0) take([...input.files]);
    // Clearing lets the same file be picked again after a cancel.
    input.value = '';
  };

  // dragenter/dragleave fire for every child element crossed; count them to know when the pointer
  // really left the page.
  let depth = 0;
  const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
  const setDragging = (on: boolean) => document.body.classList.toggle('dragging', on);

  document.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth++;
    setDragging(true);
  });
  document.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) setDragging(false);
  });
  document.addEventListener('drop', (event) => {
    depth = 0;
    setDragging(false);
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    // Without preventDefault the browser would navigate away to the dropped file.
    event.preventDefault();
    take(files);
  });
  overlay.addEventListener('click', () => setDragging(false));

  document.addEventListener('paste', (event) => {
    // Text pasted into a field stays text.
    const target = event.target;
    if (target instanceof Element && target.closest('input, textarea, [contenteditable]')) return;
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    take(files.map(namePasted));
  });
}

/** Pasted screenshots arrive as "image.png" every time; give them a distinguishable name. */
function namePasted(file: File, index: number): File {
  if (file.name && file.name !== 'image.png') return file;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const ext = file.type.split('/')[1] ?? 'bin';
  return new File([file], `pasted-${stamp}${index ? `-${index}` : ''}.${ext}`, { type: file.type });
}
