// Decodes and downscales images off the main thread: createImageBitmap with resizeWidth/resizeHeight
// decodes straight to the small size where the browser supports it, and an OffscreenCanvas encodes
// the thumbnail, so even a 50-megapixel photo never blocks the page or sits in memory full size for long.
import { encodeThumbnail, THUMBNAIL_BOX } from './thumbnail-encoder.js';

export interface PreviewRequest {
  id: number;
  file: Blob;
}
export interface PreviewResponse {
  id: number;
  url: string | null;
}

const surface = {
  create: (width: number, height: number) => new OffscreenCanvas(width, height),
  encode: (canvas: OffscreenCanvas, type: string, quality: number) => canvas.convertToBlob({ type, quality }),
};

/** Decodes straight to roughly twice the thumbnail box, keeping the aspect ratio. */
async function decodeSmall(file: Blob): Promise<ImageBitmap> {
  // Resizing on decode keeps memory small; ask for the longer side first to keep the aspect ratio
  // (only one of resizeWidth/resizeHeight given: the other follows the image's proportions).
  const probe = await createImageBitmap(file, { resizeWidth: THUMBNAIL_BOX * 2, resizeQuality: 'medium' });
  if (probe.height <= probe.width) return probe;
  probe.close();
  return createImageBitmap(file, { resizeHeight: THUMBNAIL_BOX * 2, resizeQuality: 'medium' });
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<PreviewRequest>) => void) | null;
  postMessage(message: PreviewResponse): void;
};

scope.onmessage = async (event) => {
  const { id, file } = event.data;
  let url: string | null = null;
  try {
    const bitmap = await decodeSmall(file);
    try {
      url = await encodeThumbnail(bitmap, surface);
    } finally {
      bitmap.close();
    }
  } catch {
    url = null;
  }
  scope.postMessage({ id, url });
};
