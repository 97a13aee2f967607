// The fitting loop of the thumbnail encoder, with a stand-in canvas whose output size follows pixel
// count and quality (the real canvas is exercised in Chromium by test/e2e).
import { describe, expect, it } from 'vitest';
import { encodeThumbnail, THUMBNAIL_MAX_CHARS } from '../../../web/thumbnail-encoder.js';

interface Call {
  type: string;
  quality: number;
  width: number;
  height: number;
}

function fakeSurface(bytesPerPixel: number, encodes: string[] = ['image/webp', 'image/jpeg']) {
  const calls: Call[] = [];
  const context = { fillStyle: '', imageSmoothingQuality: 'low', fillRect() {}, drawImage() {} };
  const surface = {
    create: (width: number, height: number) => ({
      width,
      height,
      getContext: () => context as unknown as CanvasRenderingContext2D,
    }),
    encode: async (canvas: { width: number; height: number }, type: string, quality: number) => {
      calls.push({ type, quality, width: canvas.width, height: canvas.height });
      const bytes = Math.ceil(canvas.width * canvas.height * bytesPerPixel * quality);
      return new Blob([new Uint8Array(bytes)], { type: encodes.includes(type) ? type : 'image/png' });
    },
  };
  return { surface, calls };
}

const photo = { width: 4000, height: 3000 } as unknown as CanvasImageSource & {
  width: number;
  height: number;
};

describe('encodeThumbnail', () => {
  it('returns a WebP data URL at the first quality that fits', async () => {
    const { surface, calls } = fakeSurface(0.05);
    const url = await encodeThumbnail(photo, surface);
    expect(url).toMatch(/^data:image\/webp;base64,/);
    expect(calls).toEqual([{ type: 'image/webp', quality: 0.82, width: 320, height: 240 }]);
  });

  it('lowers the quality, then the size, until the URL fits in 16 KiB', async () => {
    const { surface, calls } = fakeSurface(0.6);
    const url = await encodeThumbnail(photo, surface);
    expect(url!.length).toBeLessThanOrEqual(THUMBNAIL_MAX_CHARS);
    expect(calls.slice(0, 4).map((c) => c.quality)).toEqual([0.82, 0.66, 0.5, 0.36]);
    expect(calls.at(-1)!.width).toBeLessThan(320);
    // Proportions are kept at every size.
    for (const c of calls) expect(Math.abs(c.width / c.height - 4 / 3)).toBeLessThan(0.05);
  });

  it('falls back to JPEG at full size when the browser cannot encode WebP', async () => {
    const { surface, calls } = fakeSurface(0.05, ['image/jpeg']);
    const url = await encodeThumbnail(photo, surface);
    expect(url).toMatch(/^data:image\/jpeg;base64,/);
    expect(calls.map((c) => [c.type, c.width])).toEqual([
      ['image/webp', 320],
      ['image/jpeg', 320],
    ]);
  });

  it('gives up (no thumbnail) when nothing can be encoded', async () => {
    const { surface } = fakeSurface(0.05, []);
    expect(await encodeThumbnail(photo, surface)).toBeNull();
  });
});
