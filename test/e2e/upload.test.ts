// Uploading from the page: files added with the picker and by a dropped DataTransfer, the image's
// base64 preview, progress to 100 %, and a second page's dashboard showing the upload live (no
// reload) with the same thumbnail and the server's checksum.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openConnectedPage, runE2e, screenshot } from './harness/browser.js';
import { dropFiles, pngFromPage, sha256 } from './harness/page-files.js';
import { type LivedropServer, removeDir, startServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

describe.runIf(runE2e)('uploading from the page (Chromium)', () => {
  let server: LivedropServer;
  let browser: Browser;
  let sender: Page;
  let watcher: Page;

  beforeAll(async () => {
    server = await startServer(await builtUi());
    browser = await launchChromium();
    watcher = await openConnectedPage(browser, server.page());
    sender = await openConnectedPage(browser, server.page());
    // Set once: if the watcher reloaded, this marker would be gone.
    await watcher.evaluate(() => Object.assign(window, { notReloaded: true }));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) await removeDir(server.uploadDir);
  });

  it('sends a picked image with a base64 preview, reaches 100 %, and shows it live in a second page', async () => {
    const png = await pngFromPage(sender, 1600, 1000, true);
    await sender.setInputFiles('#file-input', { name: 'sunset.png', mimeType: 'image/png', buffer: png });

    const row = sender.locator('#queue li', { hasText: 'sunset.png' });
    await row.locator('.bar[aria-valuenow="100"]').waitFor();
    await sender.locator('#queue li[data-status="done"]', { hasText: 'sunset.png' }).waitFor();
    expect(await sender.getAttribute('#total-bar', 'aria-valuenow')).toBe('100');

    const thumbnail = await row.locator('.thumb img').getAttribute('src');
    expect(thumbnail).toMatch(/^data:image\/(webp|jpeg|png);base64,/);
    expect(thumbnail!.length).toBeLessThanOrEqual(16 * 1024);
    // Decoded and encoded off the main thread: the preview worker was loaded.
    const scripts = await sender.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    expect(scripts.some((name) => name.includes('preview-worker'))).toBe(true);
    await expect.poll(() => sender.textContent('#announcer')).toContain('sunset.png uploaded');

    const ref = await row.getAttribute('data-ref');
    const live = watcher.locator(`#live li[data-ref="${ref}"][data-status="completed"]`);
    await live.waitFor();
    expect(await live.locator('.thumb img').getAttribute('src')).toBe(thumbnail);
    expect(await live.locator('code.sha256').getAttribute('title')).toBe(sha256(png));
    expect(await watcher.evaluate(() => 'notReloaded' in window)).toBe(true);

    // The download link serves exactly the bytes that were sent.
    const href = await live.locator('a.download').getAttribute('href');
    const stored = Buffer.from(await (await fetch(href!)).arrayBuffer());
    expect(stored.equals(png)).toBe(true);

    await screenshot(sender, 'upload-done-sender');
    await screenshot(watcher, 'upload-done-second-page');
  });

  it('shows a drop state while files are dragged over, and sends dropped files with a type badge', async () => {
    await dropFiles(sender, [{ name: 'notes.txt', type: 'text/plain', content: 'hello livedrop' }], {
      release: false,
    });
    expect(await sender.evaluate(() => document.body.classList.contains('dragging'))).toBe(true);
    await screenshot(sender, 'drop-state');

    await dropFiles(sender, [
      { name: 'notes.txt', type: 'text/plain', content: 'hello livedrop' },
      { name: 'data.bin', type: 'application/octet-stream', content: { bytes: 300_000 } },
    ]);
    expect(await sender.evaluate(() => document.body.classList.contains('dragging'))).toBe(false);

    for (const name of ['notes.txt', 'data.bin']) {
      const row = sender.locator('#queue li[data-status="done"]', { hasText: name });
      await row.waitFor();
      expect(await row.locator('.bar').getAttribute('aria-valuenow')).toBe('100');
      const live = watcher.locator('#live li[data-status="completed"]', { hasText: name });
      await live.waitFor();
    }
    const notes = watcher.locator('#live li', { hasText: 'notes.txt' });
    expect(await notes.locator('.badge').textContent()).toBe('TXT');
    expect(await notes.locator('.thumb img').isHidden()).toBe(true);
    expect(await notes.locator('code.sha256').getAttribute('title')).toBe(sha256('hello livedrop'));
  });

  it('takes pasted images, naming them so they can be told apart', async () => {
    const png = await pngFromPage(sender, 300, 200);
    await sender.evaluate((base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
      document.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
      );
    }, png.toString('base64'));
    const row = sender.locator('#queue li[data-status="done"]', {
      has: sender.locator('.name', { hasText: /^pasted-.+\.png$/ }),
    });
    await row.waitFor();
    expect(await row.locator('.thumb img').getAttribute('src')).toMatch(/^data:image\/\w+;base64,/);
    await watcher.locator('#live li[data-status="completed"]', { hasText: 'pasted-' }).waitFor();
  });

  it('is operable from the keyboard: Tab reaches the picker and Enter opens it', async () => {
    const page = await openConnectedPage(browser, server.page());
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Choose files to upload',
    );
    // Enter on the button opens the (multiple-file) picker. Observed as the click on the file input
    // rather than as playwright's 'filechooser' event, whose interception races the key press.
    await page.evaluate(() =>
      document.getElementById('file-input')!.addEventListener('click', (event) => {
        event.preventDefault();
        Object.assign(window, { pickerOpened: (event.target as HTMLInputElement).multiple });
      }),
    );
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate(() => (window as { pickerOpened?: boolean }).pickerOpened))
      .toBe(true);
    await page.setInputFiles('#file-input', {
      name: 'keyboard.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('typed'),
    });
    await page.locator('#queue li[data-status="done"]', { hasText: 'keyboard.txt' }).waitFor();
    // Narrow screens get one column; the shot shows the responsive layout.
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'narrow-layout');
    await page.context().close();
  });

  it('deletes an upload from one dashboard and every dashboard drops it', async () => {
    const row = watcher.locator('#live li', { hasText: 'notes.txt' });
    const id = await row.getAttribute('data-id');
    await row.getByRole('button', { name: 'Delete notes.txt from the server' }).click();
    await sender.locator(`#live li[data-id="${id}"]`).waitFor({ state: 'detached' });
    await watcher.locator(`#live li[data-id="${id}"]`).waitFor({ state: 'detached' });
    expect((await fetch(`${server.origin}/api/uploads/${id}`)).status).toBe(404);
  });
});
