// Base64 previews of images, made in the browser: shown in this page at once and sent as the
// `thumbnail` field so every other dashboard shows the same picture. The work runs in a Worker
// (createImageBitmap + OffscreenCanvas); where that is missing, on the main thread from an object URL,
// which is revoked as soon as the image is decoded.
import type { PreviewRequest, PreviewResponse } from './preview-worker.js';
import { encodeThumbnail, fitInBox, THUMBNAIL_BOX } from './thumbnail-encoder.js';

/** Types browsers decode; anything else (including SVG, which may carry script) gets a type badge. */
const PREVIEWABLE = new Set([
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/bmp',
]);

function canPreview(type: string): boolean {
  return PREVIEWABLE.has(type.toLowerCase());
}

let worker: Worker | null | undefined;
let nextId = 0;
const pending = new Map<number, (url: string | null) => void>();

function previewWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (typeof Worker === 'undefined' || typeof OffscreenCanvas === 'undefined') {
    worker = null;
    return worker;
  }
  try {
    worker = new Worker(new URL('./preview-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<PreviewResponse>) => {
      pending.get(event.data.id)?.(event.data.url);
      pending.delete(event.data.id);
    };
    worker.onerror = () => {
      // The worker itself broke (not one image): finish what is pending and stop using it.
      for (const resolve of pending.values()) resolve(null);
      pending.clear();
      worker?.terminate();
      worker = null;
    };
  } catch {
    worker = null;
  }
  return worker;
}

async function inWorker(w: Worker, file: File): Promise<string | null> {
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    w.postMessage({ id, file } satisfies PreviewRequest);
  });
}

async function onMainThread(file: File): Promise<string | null> {
  const objectUrl = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.decoding = 'async';
    img.src = objectUrl;
    await img.decode();
    const natural = { width: img.naturalWidth, height: img.naturalHeight };
    const small = fitInBox(natural.width, natural.height, THUMBNAIL_BOX * 2);
    const source = Object.assign(img, small);
    return await encodeThumbnail(source, {
      create: (width, height) => Object.assign(document.createElement('canvas'), { width, height }),
      encode: (canvas, type, quality) =>
        new Promise<Blob>((resolve, reject) =>
          canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('encode failed'))), type, quality),
        ),
    });
  } catch {
    return null;
  } finally {
    URL.revokeObjectURL(objectUrl);
  }
}

/** A `data:image/webp|jpeg;base64,…` URL of at most 16 KiB, or null for non-images and undecodable files. */
export async function makeThumbnail(file: File): Promise<string | null> {
  if (!canPreview(file.type)) return null;
  const w = previewWorker();
  const url = w ? await inWorker(w, file) : null;
  return url ?? (await onMainThread(file));
}
