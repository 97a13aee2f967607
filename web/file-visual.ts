// The square at the start of every row: the image preview, or a badge naming the type for other files.
import { el, setAttributes, setText } from './element.js';

/** "report.pdf" → "PDF"; no extension → the MIME subtype ("octet-stream" → "FILE"). */
export function typeBadge(name: string, type: string): string {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1];
  if (ext) return ext.toUpperCase();
  const subtype = type.split('/')[1] ?? '';
  return subtype && subtype !== 'octet-stream' && subtype.length <= 5 ? subtype.toUpperCase() : 'FILE';
}

export function createThumb(): HTMLElement {
  return el('div', 'thumb', {}, el('img', '', { alt: '', hidden: true }), el('span', 'badge'));
}

/** Thumbnails come from other people's browsers: only the data: image URLs the API accepts are shown. */
const SAFE_THUMBNAIL = /^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+$/;

export function isSafeThumbnail(src: string | null | undefined): src is string {
  return typeof src === 'string' && SAFE_THUMBNAIL.test(src);
}

export function updateThumb(
  thumb: HTMLElement,
  src: string | null | undefined,
  name: string,
  type: string,
): void {
  const img = thumb.querySelector('img')!;
  const badge = thumb.querySelector<HTMLElement>('.badge')!;
  if (isSafeThumbnail(src)) {
    if (img.getAttribute('src') !== src) img.src = src;
    setAttributes(img, { hidden: false });
    setAttributes(badge, { hidden: true });
  } else {
    setAttributes(img, { hidden: true });
    setAttributes(badge, { hidden: false });
    setText(badge, typeBadge(name, type));
  }
}
