// Wires the page together: files in → checks against the server's config → upload queue → views;
// and the live feed → feed state → dashboard. Everything user-facing comes from locale.ts.

import { createAnnouncer } from './announcer.js';
import { errorMessage } from './api-error.js';
import { apiTargetFrom, apiUrl, authHeaders, linkUrl } from './api-target.js';
import type { Upload } from './api-types.js';
import { ConnectionView } from './connection-view.js';
import { Dashboard } from './dashboard.js';
import { byId, el, setText } from './element.js';
import { applyFeedEvent, emptyFeedState, type FeedState } from './feed-state.js';
import { sortFiles } from './file-checks.js';
import { acceptFiles } from './file-intake.js';
import { LiveFeed } from './live-feed.js';
import { locale } from './locale.js';
import { makeThumbnail } from './preview.js';
import { QueueView } from './queue-view.js';
import { ServerConfigSource } from './server-config.js';
import { type LocalStatus, UploadQueue } from './upload-queue.js';
import { sendFile } from './xhr-upload.js';

const target = apiTargetFrom(window.location);
const announce = createAnnouncer(byId('announcer'));

for (const [id, text] of [
  ['tagline', locale.tagline],
  ['drop-title', locale.dropTitle],
  ['drop-hint', locale.dropHint],
  ['pick', locale.pickFiles],
  ['drop-overlay-text', locale.dropOverlay],
  ['limits', locale.limitsLoading],
] as const) {
  setText(byId(id), text);
}
byId('send-panel').prepend(el('h2', '', { id: 'send-title' }, locale.sendTitle));
byId('live-panel').prepend(el('h2', '', { id: 'live-title' }, locale.liveTitle));
byId('pick').setAttribute('aria-label', locale.pickFilesLabel);
byId('file-input').setAttribute('aria-label', locale.pickFilesLabel);

const config = new ServerConfigSource(target, (c) => {
  setText(byId('limits'), locale.limits(c.maxFileSize, c.allowedTypes));
  const notice = byId('auth-notice');
  setText(notice, locale.tokenNeeded);
  notice.hidden = !(c.auth && !target.token);
});

// --- This browser's uploads -------------------------------------------------------------------

const lastStatus = new Map<string, LocalStatus>();
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
  send: sendFile,
  makeThumbnail,
  refreshConfig: () => config.refresh(),
  changed(item) {
    queueView.changed(item);
    dashboard.refresh();
    if (lastStatus.get(item.ref) === item.status) return;
    lastStatus.set(item.ref, item.status);
    const name = item.file.name;
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
    overlay: byId('drop-overlay'),
  },
  async (files) => {
    const limits = await config.get();
    const sorted = sortFiles(files, limits);
    const messages = sorted.rejected.map(({ file, reason }) => locale.rejected(file.name, reason));
    if (sorted.leftOut > 0) messages.push(locale.tooManyFiles(limits.maxFiles));
    rejections.replaceChildren(...messages.map((message) => el('li', 'rejection', {}, message)));
    queue.add(sorted.accepted);
  },
);

// --- The live dashboard -----------------------------------------------------------------------

let feedState: FeedState = emptyFeedState;
const dashboard = new Dashboard(byId('live'), byId('live-empty'), {
  contentUrl: (path) => linkUrl(target, path),
  sentHere: (ref) => (ref === undefined ? undefined : queue.get(ref)?.sent),
  announce,
  async delete(upload: Upload) {
    try {
      const response = await fetch(apiUrl(target, `/api/uploads/${encodeURIComponent(upload.id)}`), {
        method: 'DELETE',
        headers: authHeaders(target),
      });
      if (response.ok) {
        announce(locale.announce.deleted(upload.name));
        return null;
      }
      return errorMessage(response.status, await response.text());
    } catch {
      return locale.networkError;
    }
  },
});

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
    feedState = applyFeedEvent(feedState, event).state;
    connection.watchers(feedState.watchers);
    connection.degraded(feedState.degraded);
    dashboard.show(feedState);
  },
  status(status) {
    const change = connection.status(status);
    if (change === 'lost') announce(locale.announce.disconnected);
    if (change === 'restored') announce(locale.announce.reconnected);
  },
});
feed.start();
window.addEventListener('online', () => feed.reconnectNow());
