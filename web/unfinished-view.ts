// After a reload: the resumable uploads this browser left unfinished, each with the share the server
// holds ("choose the same file again to resume from 62 %"). Choosing the file again resumes it
// (tus-js-client finds it by fingerprint); Discard terminates it on the server.
import { el } from './element.js';
import { locale } from './locale.js';
import { discardUpload, type StoredUpload, unfinishedUploads } from './tus-upload.js';

export async function showUnfinishedUploads(
  list: HTMLElement,
  endpoint: string,
  headers: Record<string, string>,
): Promise<void> {
  const found = await unfinishedUploads(endpoint, headers);
  const rows = found.map(({ stored, offset }) => row(stored, offset, headers));
  list.replaceChildren(...rows);
  list.hidden = rows.length === 0;
}

function row(stored: StoredUpload, offset: number, headers: Record<string, string>): HTMLElement {
  const name = stored.metadata.filename ?? '';
  const percent = stored.size ? Math.floor((offset / stored.size) * 100) : 0;
  const discard = el('button', 'button small', { type: 'button' }, locale.discard);
  const item = el(
    'li',
    'unfinished',
    { 'data-upload-url': stored.uploadUrl ?? '' },
    el('span', '', {}, locale.unfinished(name, percent)),
    discard,
  );
  discard.addEventListener('click', () => {
    discard.setAttribute('disabled', '');
    void discardUpload(stored, headers).then(() => item.remove());
  });
  return item;
}
