// Shared by the preview worker and the main-thread fallback: draw a decoded image into a box and
// export it as a data: URL no larger than the server accepts for `thumbnail` (16 KiB, DESIGN.md §4),
// lowering quality first and then size until it fits.

export const THUMBNAIL_MAX_CHARS = 16 * 1024;
export const THUMBNAIL_BOX = 320;
const QUALITIES = [0.82, 0.66, 0.5, 0.36];
const MIN_SIDE = 24;

type Canvas2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

export interface CanvasLike {
  width: number;
  height: number;
  getContext(id: '2d'): Canvas2D | null;
}

export interface EncoderSurface<C extends CanvasLike> {
  create(width: number, height: number): C;
  encode(canvas: C, type: string, quality: number): Promise<Blob>;
}

/** Scales (width, height) to fit in a box of `box`×`box`, never enlarging. */
export function fitInBox(width: number, height: number, box: number): { width: number; height: number } {
  const scale = Math.min(1, box / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function blobToDataUrl(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `data:${blob.type};base64,${btoa(binary)}`;
}

type Attempt = { url: string } | 'too-big' | 'unsupported';

async function encodeInBox<C extends CanvasLike>(
  image: CanvasImageSource & { width: number; height: number },
  surface: EncoderSurface<C>,
  type: string,
  box: number,
): Promise<Attempt> {
  const size = fitInBox(image.width, image.height, box);
  const canvas = surface.create(size.width, size.height);
  const context = canvas.getContext('2d');
  if (!context) return 'unsupported';
  if (type === 'image/jpeg') {
    context.fillStyle = '#fff';
    context.fillRect(0, 0, size.width, size.height);
  }
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, 0, 0, size.width, size.height);
  for (const quality of QUALITIES) {
    const blob = await surface.encode(canvas, type, quality);
    // Browsers that cannot encode a type hand back PNG instead.
    if (blob.type !== type) return 'unsupported';
    const url = await blobToDataUrl(blob);
    if (url.length <= THUMBNAIL_MAX_CHARS) return { url };
  }
  return 'too-big';
}

/** The image as a data: URL of at most THUMBNAIL_MAX_CHARS: WebP (small, keeps transparency), else
 *  JPEG on a white ground; lower quality first, then a smaller box, until it fits. */
export async function encodeThumbnail<C extends CanvasLike>(
  image: CanvasImageSource & { width: number; height: number },
  surface: EncoderSurface<C>,
): Promise<string | null> {
  for (const type of ['image/webp', 'image/jpeg']) {
    for (let box = THUMBNAIL_BOX; box >= MIN_SIDE; box = Math.floor(box * 0.7)) {
      const attempt = await encodeInBox(image, surface, type, box);
      if (attempt === 'unsupported') break;
      if (attempt !== 'too-big') return attempt.url;
    }
  }
  return null;
}
