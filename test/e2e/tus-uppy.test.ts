// Uppy (@uppy/core + @uppy/tus, unmodified, bundled by Vite) on another origin uploads to livedrop's
// tus endpoint through CORS: preflights, exposed Location/Upload-Offset, chunked PATCHes.
import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, runE2e } from './harness/browser.js';
import { type LivedropServer, removeDir, startServer, startStaticServer } from './harness/servers.js';
import { builtUppyPage } from './harness/uppy-build.js';
import { builtUi } from './harness/web-build.js';

describe.runIf(runE2e)('Uppy on another origin (Chromium)', () => {
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  let api: LivedropServer;
  let browser: Browser;
  let pageDir: string;

  beforeAll(async () => {
    pageDir = await builtUppyPage();
    site = await startStaticServer(pageDir);
    api = await startServer(await builtUi(), { env: { CORS_ORIGINS: site.origin } });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await site?.close();
    if (api) await removeDir(api.uploadDir);
    if (pageDir) await removeDir(pageDir);
  });

  it('uploads a 1 MiB file in 256 KiB chunks through CORS; livedrop lists it with the exact sha256', async () => {
    const page = await openPage(
      browser,
      `${site.origin}/?endpoint=${encodeURIComponent(`${api.origin}/api/tus`)}`,
    );
    await page.waitForSelector('#state:text("ready")');
    const size = 1024 * 1024;
    const result = await page.evaluate(([name, n]) => window.uploadWithUppy(name, n), [
      'uppy.bin',
      size,
    ] as const);
    expect(result.failed).toEqual([]);
    expect(result.successful).toBe(1);
    expect(result.url).toMatch(new RegExp(`^${api.origin}/api/tus/`));
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 255;
    const { uploads } = (await (await fetch(`${api.origin}/api/uploads`)).json()) as {
      uploads: { name: string; size: number; sha256: string }[];
    };
    expect(uploads).toContainEqual(
      expect.objectContaining({
        name: 'uppy.bin',
        size,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      }),
    );
  });
});
