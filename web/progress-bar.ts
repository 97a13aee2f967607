// role="progressbar" with aria-valuenow as a whole percentage, and the visible fill.
import { el, setAttributes } from './element.js';

export function createProgressBar(label: string): HTMLElement {
  return el(
    'div',
    'bar',
    {
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': 0,
      'aria-label': label,
    },
    el('div', 'fill'),
  );
}

/** `fraction` in [0, 1], or null for "unknown" (no aria-valuenow, an indeterminate animation). */
export function setProgress(bar: HTMLElement, fraction: number | null): void {
  const fill = bar.querySelector<HTMLElement>('.fill')!;
  if (fraction === null) {
    setAttributes(bar, { 'aria-valuenow': null, 'data-indeterminate': true });
    return;
  }
  const percent = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
  setAttributes(bar, { 'aria-valuenow': percent, 'data-indeterminate': null });
  fill.style.transform = `scaleX(${Math.max(0, Math.min(1, fraction))})`;
}
