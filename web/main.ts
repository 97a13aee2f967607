// Wires the page together: files in → checks against the server's config → upload queue → views;
// and the live feed → feed state → dashboard. Everything user-facing comes from locale.ts.

import { createAnnouncer } from './announcer.js';
import { errorMessage } from './api-error.js';
import { apiTargetFrom, apiUrl, authHeaders, linkUrl } from './api-target.js';
import type { ServerConfig, Upload } from './api-types.js';
import { BackgroundNotice, buildBanner } from './background-notice.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ConnectionView } from './connection-view.js';
import { byId, el, setText } from './element.js';
import { applyFeedEvent, emptyFeedState, type FeedState } from './feed-state.js';
import { sortFiles } from './file-checks.js';
import { acceptFiles } from './file-intake.js';
import { LibraryView } from './library-view.js';
import { Lightbox } from './lightbox.js';
import { LiveFeed } from './live-feed.js';
import { locale } from './locale.js';
import { PageTitle } from './page-title.js';
import { makeThumbnail } from './preview.js';
import { QueueView } from './queue-view.js';
import { SearchBox } from './search-box.js';
import { ServerConfigSource } from './server-config.js';
import { sendResumable } from './tus-upload.js';
import { showUnfinishedUploads } from './unfinished-view.js';
import { type LocalStatus, UploadQueue } from './upload-queue.js';
import { sendFile } from './xhr-upload.js';

const target = apiTargetFrom(window.location);
const announce = createAnnouncer(byId('announcer'));

for (const [id, text] of [
  ['tagline', locale.tagline],
  ['drop-title', locale.dropTitle],
  ['drop-hint', locale.dropHint],
  ['pick', locale.pickFiles],
  ['pick-folder', locale.pickFolder],
  ['select-all', locale.selectAll],
  ['clear-selection', locale.clearSelection],
  ['drop-overlay-text', locale.dropOverlay],
  ['limits', locale.limitsLoading],
] as const) {
  setText(byId(id), text);
}
byId('send-panel').prepend(el('h2', '', { id: 'send-title' }, locale.sendTitle));
byId('live-panel').prepend(el('h2', '', { id: 'live-title' }, locale.liveTitle));
byId('pick').setAttribute('aria-label', locale.pickFilesLabel);
byId('file-input').setAttribute('aria-label', locale.pickFilesLabel);
byId('pick-folder').setAttribute('aria-label', locale.pickFolderLabel);
byId('folder-input').setAttribute('aria-label', locale.pickFolderLabel);
// The list scrolls in its own box: a labelled region that keyboard users can focus and scroll.
const viewport = byId('live-viewport');
viewport.setAttribute('role', 'region');
viewport.setAttribute('aria-label', locale.libraryLabel);
viewport.tabIndex = 0;

let latestConfig: ServerConfig | null = null;
const config = new ServerConfigSource(target, (c) => {
  latestConfig = c;
  setText(byId('limits'), locale.limits(c.maxFileSize, c.allowedTypes));
  const notice = byId('auth-notice');
  setText(notice, locale.tokenNeeded);
  notice.hidden = !(c.auth && !target.token);
});

// --- This browser's uploads -------------------------------------------------------------------

const lastStatus = new Map<string, LocalStatus>();
const pageTitle = new PageTitle(() => queue.items);
const backgroundNotice = new BackgroundNotice(buildBanner(byId('background-banner')));
const queueView = new QueueView(
  {
    list: byId('queue'),
    empty: byId('queue-empty'),
    total: byId('total'),
    totalText: byId('total-text'),
    totalBytes: byId('total-bytes'),
    totalBar: byId('total-bar'),
  },
  () => queue,
  (path) => linkUrl(target, path),
);

const queue = new UploadQueue({
  target,
  concurrency: 3,
  maxAutoRetries: 4,
  // Above the server's threshold a file goes resumably (tus), in chunks; smaller ones in one form post.
  send: (request, handlers) => {
    const threshold = latestConfig?.resumableThreshold;
    if (threshold === undefined || request.file.size <= threshold) return sendFile(request, handlers);
    const { file, ref, headers } = request;
    const chunkSize = latestConfig?.tusChunkSize ?? 8 * 1024 * 1024;
    return sendResumable({ endpoint: apiUrl(target, '/api/tus'), file, ref, headers, chunkSize }, handlers);
  },
  makeThumbnail,
  refreshConfig: () => config.refresh(),
  isOnline: () => navigator.onLine,
  changed(item) {
    queueView.changed(item);
    library.refresh();
    pageTitle.changed();
    if (lastStatus.get(item.ref) === item.status) return;
    lastStatus.set(item.ref, item.status);
    const name = item.file.name;
    backgroundNotice.changed(item.ref, item.status, name);
    if (item.status === 'done') announce(locale.announce.completed(name));
    if (item.status === 'failed') announce(locale.announce.failed(name, item.error ?? ''));
    if (item.status === 'cancelled') announce(locale.announce.cancelled(name));
  },
});

const rejections = byId('rejections');
acceptFiles(
  {
    pickButton: byId<HTMLButtonElement>('pick'),
    input: byId<HTMLInputElement>('file-input'),
    folderButton: byId<HTMLButtonElement>('pick-folder'),
    folderInput: byId<HTMLInputElement>('folder-input'),
    overlay: byId('drop-overlay'),
  },
  async (files, batch) => {
    const limits = await config.get();
    // MAX_FILES is the server's limit per request, applied here per drop against accidents; a folder
    // is chosen on purpose, and every file goes in a request of its own, so a folder has no cap.
    const sorted = sortFiles(files, batch.folder ? { ...limits, maxFiles: files.length } : limits);
    const messages = sorted.rejected.map(({ file, reason }) => locale.rejected(file.name, reason));
    if (sorted.leftOut > 0) messages.push(locale.tooManyFiles(limits.maxFiles));
    const items = messages.map((message) => el('li', 'rejection', {}, message));
    if (batch.first) rejections.replaceChildren(...items);
    else rejections.append(...items);
    queue.add(sorted.accepted);
  },
);

// --- The live dashboard -----------------------------------------------------------------------

let feedState: FeedState = emptyFeedState;
let snapshots = 0;
const searchBox = new SearchBox(
  { input: byId<HTMLInputElement>('search'), chips: byId('chips') },
  (filters) => library.setFilters(filters),
);
const library = new LibraryView(
  {
    viewport: byId('live-viewport'),
    list: byId('live'),
    status: byId('live-empty'),
    selection: byId('selection'),
    selectionText: byId('selection-text'),
    deleteSelected: byId<HTMLButtonElement>('delete-selected'),
    clearSelection: byId<HTMLButtonElement>('clear-selection'),
    selectAll: byId<HTMLButtonElement>('select-all'),
  },
  {
    target,
    contentUrl: (path) => linkUrl(target, path),
    sentHere: (ref) => (ref === undefined ? undefined : queue.get(ref)?.sent),
    announce,
    lightbox: new Lightbox(byId<HTMLDialogElement>('lightbox')),
    confirm: new ConfirmDialog(byId<HTMLDialogElement>('confirm')),
    async deleteUpload(upload: Upload) {
      try {
        const response = await fetch(apiUrl(target, `/api/uploads/${encodeURIComponent(upload.id)}`), {
          method: 'DELETE',
          headers: authHeaders(target),
        });
        // Already gone (someone else deleted it first) is what was asked for.
        if (response.ok || response.status === 404) return null;
        return errorMessage(response.status, await response.text());
      } catch {
        return locale.networkError;
      }
    },
  },
  searchBox.filters,
);

const connection = new ConnectionView(
  {
    pill: byId('connection'),
    watchers: byId('watchers'),
    alert: byId('connection-alert'),
    reconnectNow: byId<HTMLButtonElement>('reconnect-now'),
  },
  () => feed.reconnectNow(),
);

const feed = new LiveFeed({
  target,
  since: () => feedState.seq,
  event(event) {
    const result = applyFeedEvent(feedState, event);
    feedState = result.state;
    connection.watchers(feedState.watchers);
    connection.degraded(feedState.degraded);
    if (result.kind !== 'applied') return;
    const resync = event.type === 'snapshot' && snapshots++ > 0;
    library.feed(event, feedState, resync);
  },
  status(status) {
    const change = connection.status(status);
    if (change === 'lost') announce(locale.announce.disconnected);
    if (change === 'restored') announce(locale.announce.reconnected);
  },
});
feed.start();
void showUnfinishedUploads(byId('unfinished'), apiUrl(target, '/api/tus'), authHeaders(target));
window.addEventListener('online', () => {
  feed.reconnectNow();
  queue.online();
});
