// Every user-facing string of the web UI, in one place (as Uppy's locale.ts does), so wording stays
// consistent and a translation is one file. Messages the server also produces (too large, type not
// allowed) use the server's exact wording from server/errors.ts, so a file refused here reads the same
// as one refused there.
import { formatBytes, formatDuration } from './format.js';

export const locale = {
  appName: 'livedrop',
  progressTitle: (percent: number) => `${percent} % · livedrop`,
  tagline: 'Drop files. Everyone watching sees them arrive.',

  sendTitle: 'Send files',
  dropTitle: 'Drop files anywhere on the page',
  dropHint: 'or paste them with Ctrl+V / ⌘V',
  pickFiles: 'Choose files…',
  pickFilesLabel: 'Choose files to upload',
  pickFolder: 'Choose a folder…',
  pickFolderLabel: 'Choose a folder to upload with everything in it',
  dropOverlay: 'Drop to upload',
  limits: (maxFileSize: number, allowedTypes: string[]) =>
    `Up to ${formatBytes(maxFileSize)} per file` +
    (allowedTypes.length > 0 ? ` · ${allowedTypes.join(', ')}` : ' · any type'),
  limitsLoading: 'Asking the server for its limits…',
  tokenNeeded:
    'This server needs an access token: open this page with ?token=YOUR_TOKEN added to its address.',

  yourUploadsEmpty: 'Nothing sent from this browser yet.',
  totalProgress: (done: number, total: number) => `${done} of ${total} done`,
  totalProgressLabel: 'Total progress of this browser’s uploads',
  fileProgressLabel: (name: string) => `Upload progress of ${name}`,
  serverProgressLabel: (name: string) => `Bytes stored on the server for ${name}`,

  queued: 'Waiting…',
  preparing: 'Making a preview…',
  uploading: (sent: number, size: number) => `${formatBytes(sent)} of ${formatBytes(size)}`,
  speed: (bytesPerSecond: number, etaSeconds: number | undefined) =>
    `${formatBytes(bytesPerSecond)}/s` +
    (etaSeconds === undefined ? '' : ` · ${formatDuration(etaSeconds)} left`),
  processing: 'Processing on the server…',
  done: 'Done',
  cancelled: 'Cancelled',
  retrying: (seconds: number, attempt: number) => `Retrying in ${formatDuration(seconds)} (try ${attempt})`,
  waitingForNetwork: 'Offline: continues when the network is back',

  cancel: 'Cancel',
  cancelLabel: (name: string) => `Cancel upload of ${name}`,
  retry: 'Retry',
  retryLabel: (name: string) => `Retry upload of ${name}`,
  dismiss: 'Remove',
  dismissLabel: (name: string) => `Remove ${name} from this list`,
  open: 'Open',
  openLabel: (name: string) => `Open ${name}`,

  // Same wording as server/errors.ts UPLOAD_FILE_TOO_LARGE / UPLOAD_TYPE_NOT_ALLOWED.
  fileTooLarge: (limit: number) => `File too large: the limit is ${formatBytes(limit)}`,
  typeNotAllowed: (type: string, allowed: string[]) =>
    `File type ${type || 'unknown'} is not allowed (allowed: ${allowed.join(', ')})`,
  tooManyFiles: (limit: number) => `Too many files at once: the limit is ${limit}; the rest were left out`,
  rejected: (name: string, reason: string) => `${name}: ${reason}`,
  networkError: 'The connection to the server failed',
  httpError: (status: number) => `The server answered with HTTP ${status}`,
  gaveUp: 'The connection to the server kept failing; press Retry to try again',

  liveTitle: 'Live on the server',
  liveEmpty: 'No uploads on the server yet.',
  libraryLabel: 'Uploads on the server, newest first',
  searchLabel: 'Search uploads by name',
  searchPlaceholder: 'Search by name…',
  typeFilterLabel: 'Show only',
  chips: { all: 'All', images: 'Images', videos: 'Videos', audio: 'Audio', text: 'Text', pdf: 'PDF' },
  loading: 'Loading…',
  loadFailed: (reason: string) => `Could not load the list: ${reason}. Trying again…`,
  noMatches: (q: string) => (q ? `No uploads match “${q}”.` : 'No uploads of this type.'),
  selectLabel: (name: string) => `Select ${name}`,
  selected: (count: number) => (count === 1 ? '1 selected' : `${count} selected`),
  selectAll: 'Select all shown',
  clearSelection: 'Clear selection',
  deleteSelected: (count: number) => (count === 1 ? 'Delete 1 file' : `Delete ${count} files`),
  confirmDelete: (count: number, first: string) =>
    count === 1
      ? `Delete ${first} from the server? This cannot be undone.`
      : `Delete ${count} files from the server? This cannot be undone.`,
  viewLabel: (name: string) => `View ${name}`,
  close: 'Close',
  copyLink: 'Link',
  copyLinkLabel: (name: string) => `Copy the link to ${name}`,
  linkCopied: (name: string) => `Link to ${name} copied`,
  dismissBanner: 'Dismiss',
  notifyMe: 'Notify me next time',
  finishedInBackground: (names: string[]) =>
    names.length === 1
      ? `${names[0]} finished uploading while this tab was in the background.`
      : `${names.length} uploads finished while this tab was in the background: ${names.join(', ')}.`,
  watching: (count: number) => (count === 1 ? '1 watching' : `${count} watching`),
  watchingLabel: 'People watching this dashboard',
  connection: {
    connecting: 'Connecting…',
    connected: 'Live',
    degraded: 'Delayed',
    reconnecting: 'Reconnecting…',
  },
  transport: (kind: 'ws' | 'sse') => (kind === 'ws' ? 'WebSocket' : 'Server-Sent Events'),
  connectionLost: 'Lost the connection to the server.',
  connectionLostDetail: (seconds: number | undefined) =>
    'Uploads can’t go through until it is back. ' +
    (seconds === undefined ? 'Reconnecting…' : `Reconnecting in ${formatDuration(seconds)}…`),
  reconnectNow: 'Reconnect now',
  degradedDetail:
    'the server cannot reach its event store; uploads still go through, updates follow when it is back',
  unfinished: (name: string, percent: number) =>
    `${name}: ${percent} % stored. Choose the same file again to resume from ${percent} %.`,
  discard: 'Discard',
  resumableUntil: (when: string) => ` · resumable until ${when}`,

  status: {
    uploading: 'Uploading',
    paused: 'Paused',
    completed: 'Completed',
    failed: 'Failed',
    aborted: 'Aborted',
  },
  stored: (stored: number, expected: number | null) =>
    expected === null
      ? `${formatBytes(stored)} stored`
      : `${formatBytes(stored)} of ${formatBytes(expected)} stored`,
  sentHere: (sent: number) => `${formatBytes(sent)} sent from this browser`,
  checksum: 'SHA-256',
  copyChecksum: 'Copy',
  copyChecksumLabel: (name: string) => `Copy the SHA-256 checksum of ${name}`,
  copied: 'Checksum copied',
  download: 'Download',
  downloadLabel: (name: string) => `Download ${name}`,
  delete: 'Delete',
  deleteLabel: (name: string) => `Delete ${name} from the server`,
  deleteFailed: (name: string, reason: string) => `Could not delete ${name}: ${reason}`,

  announce: {
    completed: (name: string) => `${name} uploaded`,
    failed: (name: string, reason: string) => `${name} failed: ${reason}`,
    cancelled: (name: string) => `${name} cancelled`,
    reconnected: 'Live connection restored',
    disconnected: 'Live connection lost',
    deleted: (name: string) => `${name} deleted`,
    bulkDeleted: (deleted: number, failed: number) =>
      `${deleted === 1 ? '1 file' : `${deleted} files`} deleted` +
      (failed > 0 ? `; ${failed} could not be deleted` : ''),
  },
};
