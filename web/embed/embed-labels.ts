// Every string the element shows, each overridable by an attribute of the same name (so a host page
// localises it in HTML: <livedrop-upload label-choose="Dateien wählen">). `{name}`, `{count}`,
// `{origin}`, `{server}` and `{message}` are filled in where they apply.

export const LABELS = {
  'label-choose': 'Choose files',
  'label-hint': 'or drop or paste them here',
  'label-region': 'File upload',
  'label-remove': 'Remove {name}',
  'label-uploading': 'Uploading…',
  'label-offline': 'Offline: it goes on when the network is back…',
  'label-done': 'Uploaded',
  'label-failed': 'Failed: {message}',
  'label-announce-done': '{name} uploaded',
  'label-announce-failed': '{name} failed: {message}',
  'label-announce-removed': '{name} removed',
  'label-waiting': 'Waiting for {count} upload(s) to finish before sending…',
  'label-blocked-failed': 'Remove the files that failed before sending the form.',
  'label-required': 'Add at least one file before sending the form.',
  'label-origin-refused':
    'This site ({origin}) may not upload to {server}: its administrator must add {origin} to CORS_ORIGINS.',
  'label-unreachable': 'The upload server {server} cannot be reached.',
  'label-token-needed': 'The upload server needs a token: set this element’s token attribute.',
  'label-too-large': 'File too large: the limit is {limit}',
} as const;

export type LabelName = keyof typeof LABELS;
export const LABEL_NAMES = Object.keys(LABELS) as LabelName[];

export function label(host: Element, name: LabelName, values: Record<string, string | number> = {}): string {
  const template = host.getAttribute(name) ?? LABELS[name];
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? String(values[key]) : whole,
  );
}
