// A third-party page using Uppy (@uppy/core + @uppy/tus, unmodified) against livedrop's tus endpoint,
// given as ?endpoint=. The test calls window.uploadWithUppy(name, bytes) and reads the result.
import Uppy from '@uppy/core';
import Tus from '@uppy/tus';

const endpoint = new URL(location.href).searchParams.get('endpoint') ?? '';

declare global {
  interface Window {
    uploadWithUppy(
      name: string,
      size: number,
    ): Promise<{ successful: number; failed: string[]; url: string }>;
  }
}

window.uploadWithUppy = async (name, size) => {
  const uppy = new Uppy({ autoProceed: false }).use(Tus, {
    endpoint,
    chunkSize: 256 * 1024,
    retryDelays: [0, 500],
  });
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 255;
  uppy.addFile({ name, type: 'application/octet-stream', data: new Blob([bytes]) });
  const result = await uppy.upload();
  return {
    successful: result?.successful?.length ?? 0,
    failed: (result?.failed ?? []).map((file) => String(file.error)),
    url: String(result?.successful?.[0]?.uploadURL ?? ''),
  };
};
document.getElementById('state')!.textContent = 'ready';
