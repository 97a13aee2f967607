// Cancel mid-upload: the sender's uploads are throttled (DevTools network emulation) so the cancel
// lands while bytes are still flowing; the second page then shows the upload as aborted, and the
// sender's progress never went backwards on the way.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openConnectedPage, runE2e, screenshot, throttleUploads } from './harness/browser.js';
import { dropFiles } from './harness/page-files.js';
import { type LivedropServer, removeDir, startServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

describe.runIf(runE2e)('cancelling an upload (Chromium)', () => {
  let server: LivedropServer;
  let browser: Browser;
  let sender: Page;
  let watcher: Page;

  beforeAll(async () => {
    server = await startServer(await builtUi());
    browser = await launchChromium();
    watcher = await openConnectedPage(browser, server.page());
    sender = await openConnectedPage(browser, server.page());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) await removeDir(server.uploadDir);
  });

  it('aborts the request, and the second page shows the upload aborted', async () => {
    await throttleUploads(sender, 2 * 1024 * 1024);
    // Record every aria-valuenow the sender's bar takes, to check it never goes backwards.
    await sender.evaluate(() => {
      const seen: number[] = [];
      const heights = new Set<number>();
      Object.assign(window, { progressSeen: seen, rowHeights: heights });
      new MutationObserver((records) => {
        for (const r of records) {
          const target = r.target as Element;
          if (!target.matches('#queue .bar')) continue;
          seen.push(Number(target.getAttribute('aria-valuenow')));
          const row = target.closest('li')!;
          if (row.dataset.status === 'uploading') heights.add(row.getBoundingClientRect().height);
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    });
    await dropFiles(sender, [
      { name: 'big.bin', type: 'application/octet-stream', content: { bytes: 32 * 1024 * 1024 } },
    ]);

    const row = sender.locator('#queue li', { hasText: 'big.bin' });
    const ref = await row.getAttribute('data-ref');
    const live = watcher.locator(`#live li[data-ref="${ref}"]`);
    await watcher.locator(`#live li[data-ref="${ref}"][data-status="uploading"]`).waitFor();
    // Wait until some bytes are visibly sent, so the cancel is mid-upload.
    await expect
      .poll(async () => Number(await row.locator('.bar').getAttribute('aria-valuenow')))
      .toBeGreaterThan(2);
    await screenshot(sender, 'cancel-uploading-sender');
    await screenshot(watcher, 'cancel-uploading-second-page');

    await row.getByRole('button', { name: 'Cancel upload of big.bin' }).click();
    await sender.locator(`#queue li[data-ref="${ref}"][data-status="cancelled"]`).waitFor();
    await watcher.locator(`#live li[data-ref="${ref}"][data-status="aborted"]`).waitFor();
    expect(await live.locator('.status-pill').textContent()).toBe('Aborted');
    expect(Number(await row.locator('.bar').getAttribute('aria-valuenow'))).toBeLessThan(100);
    await expect.poll(() => sender.textContent('#announcer')).toContain('big.bin cancelled');

    const seen = await sender.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    // No layout jumps: the row kept one height while the numbers in it changed.
    const heights = await sender.evaluate(() => [
      ...(window as unknown as { rowHeights: Set<number> }).rowHeights,
    ]);
    expect(heights).toHaveLength(1);

    // Nothing of it is kept as a completed upload.
    const listing = (await (await fetch(`${server.origin}/api/uploads`)).json()) as {
      uploads: { ref?: string }[];
    };
    expect(listing.uploads.some((u) => u.ref === ref)).toBe(false);
    await screenshot(watcher, 'cancel-aborted-second-page');
  });
});
