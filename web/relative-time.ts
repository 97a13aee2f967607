// "3 min ago", "yesterday", "in 2 h": how long ago an upload happened, in the browser's language.
// Rows show this and keep the exact local time in their tooltip.

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

let format: Intl.RelativeTimeFormat | undefined;

export function formatRelative(iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  format ??= new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
  let value = (at - now) / 1000;
  if (Math.abs(value) < 10) return format.format(0, 'second');
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return format.format(Math.round(value), unit);
    value /= size;
  }
  return '';
}

let exact: Intl.DateTimeFormat | undefined;

/** The exact local date and time, for a tooltip (one cached formatter: rows are bound while scrolling). */
export function formatExact(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  exact ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  return exact.format(at);
}
