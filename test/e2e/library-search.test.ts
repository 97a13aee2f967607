// Searching the library: the search box narrows the list to the server's matches (case-insensitive and
// Unicode-normalised: "STRASSE" finds "Straße"), the query goes into the page's URL and survives a
// reload, type chips filter by media type, and live uploads that do not match stay out of the result.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUploads } from '../fixtures/seed-uploads.js';
import { launchChromium, openConnectedPage, runE2e, screenshot } from './harness/browser.js';
import { type LivedropServer, removeDir, startServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

const SEEDED = 1000;

/** How many uploads the list holds (aria-setsize of its rows), once it has loaded every page. */
async function listed(page: Page): Promise<number> {
  await page.waitForFunction(
    () => document.getElementById('live-viewport')!.getAttribute('aria-busy') !== 'true',
  );
  return page.evaluate(() => {
    const row = document.querySelector('#live > li');
    return row ? Number(row.getAttribute('aria-setsize')) : 0;
  });
}

/** Scrolls the list to its end so every page of the result loads. */
async function loadEverything(page: Page): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await page.evaluate(() => {
      const viewport = document.getElementById('live-viewport')!;
      viewport.scrollTop = viewport.scrollHeight;
    });
    await page.waitForTimeout(100);
    await page.waitForFunction(
      () => document.getElementById('live-viewport')!.getAttribute('aria-busy') !== 'true',
    );
  }
  await page.evaluate(() => {
    document.getElementById('live-viewport')!.scrollTop = 0;
  });
}

const names = (page: Page) => page.locator('#live li .name').allTextContents();

describe.runIf(runE2e)('searching the library (Chromium)', () => {
  let server: LivedropServer;
  let browser: Browser;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'livedrop-e2e-search-'));
    await seedUploads(dir, SEEDED);
    server = await startServer(await builtUi(), { uploadDir: dir });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) await removeDir(server.uploadDir);
  });

  it('narrows to the matching uploads as one types, and the search survives a reload', async () => {
    const page = await openConnectedPage(browser, server.page());
    await page.locator('#live li').first().waitFor();
    await page.locator('#search').focus();
    await page.keyboard.type('STRASSE-00', { delay: 20 });
    await expect.poll(() => page.url()).toContain('q=STRASSE-00');
    // Straße-0003, -0008, … -0098: every fifth of the first hundred.
    await expect.poll(() => listed(page)).toBe(20);
    const shown = await names(page);
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.every((name) => /^Straße-00\d\d\.png$/.test(name))).toBe(true);
    await screenshot(page, 'library-search');

    await page.reload();
    await page.locator('#connection[data-state="connected"]').waitFor();
    expect(await page.inputValue('#search')).toBe('STRASSE-00');
    await expect.poll(() => listed(page)).toBe(20);
    expect((await names(page)).every((name) => name.startsWith('Straße-00'))).toBe(true);

    // Escape clears the search: everything again.
    await page.locator('#search').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.url()).not.toContain('q=');
    await expect.poll(() => listed(page)).toBeGreaterThanOrEqual(100);
    await page.context().close();
  });

  it('filters by type with the chips, combined with the search, every page of the result', async () => {
    const page = await openConnectedPage(browser, server.page('q=photo'));
    await page.getByRole('button', { name: 'Images' }).click();
    await expect.poll(() => page.url()).toContain('type=image%2F');
    expect(await page.getAttribute('#chips button[data-type="image/"]', 'aria-pressed')).toBe('true');
    await loadEverything(page);
    // "Holiday Photo NNNN.jpg" is every fifth upload: 200 of the 1,000.
    expect(await listed(page)).toBe(200);
    expect((await names(page)).every((name) => name.startsWith('Holiday Photo '))).toBe(true);

    await page.getByRole('button', { name: 'PDF' }).click();
    await expect.poll(() => listed(page)).toBe(0);
    expect(await page.textContent('#live-empty')).toBe('No uploads match “photo”.');
    await page.context().close();
  });

  it('keeps a live upload that does not match out of a search, and shows one that does', async () => {
    const page = await openConnectedPage(browser, server.page('q=report'));
    await expect.poll(() => listed(page)).toBeGreaterThan(0);
    const sender = await openConnectedPage(browser, server.page());
    await sender.setInputFiles('#file-input', [
      { name: 'unrelated.txt', mimeType: 'text/plain', buffer: Buffer.from('x') },
      { name: 'Quarterly REPORT.txt', mimeType: 'text/plain', buffer: Buffer.from('y') },
    ]);
    await expect.poll(() => sender.locator('#queue li[data-status="done"]').count()).toBe(2);
    const first = page.locator('#live li[aria-posinset="1"] .name');
    await expect.poll(() => first.textContent()).toBe('Quarterly REPORT.txt');
    expect(await page.locator('#live li', { hasText: 'unrelated.txt' }).count()).toBe(0);
    await page.context().close();
    await sender.context().close();
  });
});
