// Test files made inside the page: a real PNG drawn on a canvas (so the preview path decodes a real
// image), and drops dispatched with a DataTransfer built in the page, as a drag from the desktop does.
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';

/** A width×height PNG with a gradient and shapes (and, with `noisy`, random pixels that compress
 *  badly, so the thumbnail encoder must lower quality or size to fit 16 KiB), returned as bytes. */
export async function pngFromPage(page: Page, width: number, height: number, noisy = false): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ([w, h, noisy]) => {
      const canvas = new OffscreenCanvas(w, h);
      const g = canvas.getContext('2d')!;
      const gradient = g.createLinearGradient(0, 0, w, h);
      gradient.addColorStop(0, '#4f5bd5');
      gradient.addColorStop(1, '#ff8fb1');
      g.fillStyle = gradient;
      g.fillRect(0, 0, w, h);
      for (let i = 0; i < 40; i++) {
        g.fillStyle = `hsl(${i * 9} 70% 60%)`;
        g.beginPath();
        g.arc(((i * 97) % w) + 10, ((i * 53) % h) + 10, 12 + (i % 5) * 6, 0, Math.PI * 2);
        g.fill();
      }
      if (noisy) {
        const pixels = g.getImageData(0, 0, w, h);
        for (let i = 0; i < pixels.data.length; i += 4) {
          pixels.data[i] = (pixels.data[i]! + Math.random() * 120) & 255;
          pixels.data[i + 1] = (Math.random() * 255) | 0;
        }
        g.putImageData(pixels, 0, 0);
      }
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000)
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    },
    [width, height, noisy] as const,
  );
  return Buffer.from(base64, 'base64');
}

export interface DroppedFile {
  name: string;
  type: string;
  /** Text content, or a byte count of generated content. */
  content: string | { bytes: number };
}

/** Drags files over the page (dragenter) and drops them, like a drag from the file manager. */
export async function dropFiles(page: Page, files: DroppedFile[], { release = true } = {}): Promise<void> {
  await page.evaluate(
    ({ files, release }) => {
      const transfer = new DataTransfer();
      for (const f of files) {
        const body = typeof f.content === 'string' ? f.content : new Uint8Array(f.content.bytes).fill(120);
        transfer.items.add(new File([body], f.name, { type: f.type }));
      }
      const fire = (type: string) =>
        document.body.dispatchEvent(
          new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
      fire('dragenter');
      fire('dragover');
      if (release) fire('drop');
    },
    { files, release },
  );
}

export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** A multipart body as a browser would build it, for requests the test makes itself. */
export async function multipartBody(
  files: { name: string; type: string; content: string | Buffer }[],
): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  for (const file of files) {
    form.append('size', String(Buffer.byteLength(file.content)));
    const bytes = typeof file.content === 'string' ? file.content : new Uint8Array(file.content);
    form.append('file', new Blob([bytes], { type: file.type }), file.name);
  }
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type') ?? '',
  };
}
