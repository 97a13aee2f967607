// The ways files come in: dropped anywhere on the page (with a full-page drop state), chosen with the
// picker button, a whole folder dropped or picked (folder-drop.ts), or pasted (Ctrl/Cmd+V), including
// screenshots pasted as image data.
import { dropEntries, inChunks, readEntries } from './folder-drop.js';

export interface IntakeElements {
  pickButton: HTMLButtonElement;
  input: HTMLInputElement;
  folderButton: HTMLButtonElement;
  folderInput: HTMLInputElement;
  overlay: HTMLElement;
}

/** How files arrived: a folder's files come in several chunks; `first` starts a new batch. */
export interface Batch {
  folder: boolean;
  first: boolean;
}

export function acceptFiles(elements: IntakeElements, take: (files: File[], batch: Batch) => void): void {
  const { pickButton, input, folderButton, folderInput, overlay } = elements;
  const single: Batch = { folder: false, first: true };
  const folderChunks = () => {
    let first = true;
    return (files: File[]) => {
      take(files, { folder: true, first });
      first = false;
    };
  };

  pickButton.onclick = () => input.click();
  input.onchange = () => {
    if (input.files && input.files.length > 0) take([...input.files], single);
    // Clearing lets the same file be picked again after a cancel.
    input.value = '';
  };
  folderButton.onclick = () => folderInput.click();
  folderInput.onchange = () => {
    const files = [...(folderInput.files ?? [])];
    folderInput.value = '';
    if (files.length > 0) void inChunks(files, folderChunks());
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
    const entries = event.dataTransfer ? dropEntries(event.dataTransfer) : null;
    if (entries) {
      event.preventDefault();
      void readEntries(entries, folderChunks());
      return;
    }
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    // Without preventDefault the browser would navigate away to the dropped file.
    event.preventDefault();
    take(files, single);
  });
  overlay.addEventListener('click', () => setDragging(false));

  document.addEventListener('paste', (event) => {
    // Text pasted into a field stays text.
    const target = event.target;
    if (target instanceof Element && target.closest('input, textarea, [contenteditable]')) return;
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    take(files.map(namePasted), single);
  });
}

/** Pasted screenshots arrive as "image.png" every time; give them a distinguishable name. */
function namePasted(file: File, index: number): File {
  if (file.name && file.name !== 'image.png') return file;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const ext = file.type.split('/')[1] ?? 'bin';
  return new File([file], `pasted-${stamp}${index ? `-${index}` : ''}.${ext}`, { type: file.type });
}
