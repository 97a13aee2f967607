// The livedrop page on another origin sends a big file resumably (tus-js-client, chunked, through
// CORS). The network is cut mid-upload (DevTools offline) and comes back: the upload resumes by
// itself, and a second page's dashboard shows it go uploading → paused → uploading → completed. Then
// a reload mid-upload: the page lists the unfinished upload, the same file chosen again resumes it
// from the server's offset (same upload, not a new one).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openConnectedPage, runE2e, screenshot, throttleUploads } from './harness/browser.js';
import { type LivedropServer, removeDir, startServer, startStaticServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

const MiB = 1024 * 1024;

/** Records every data-status the dashboard row of `name` takes, in order, from inside the page. */
async function recordStatuses(page: Page, name: string): Promise<void> {
  await page.evaluate((name) => {
    const seen: string[] = [];
    (window as unknown as { statuses: string[] }).statuses = seen;
    const look = () => {
      for (const row of document.querySelectorAll('#live li')) {
        if (!row.textContent?.includes(name)) continue;
        const status = row.getAttribute('data-status') ?? '';
        if (seen.at(-1) !== status) seen.push(status);
      }
    };
    new MutationObserver(look).observe(document.getElementById('live')!, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
  }, name);
}

const statuses = (page: Page) => page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);

describe.runIf(runE2e)('resumable uploads from the livedrop page (Chromium)', () => {
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  let api: LivedropServer;
  let browser: Browser;
  let files: string;

  beforeAll(async () => {
    const ui = await builtUi();
    site = await startStaticServer(ui);
    api = await startServer(ui, {
      env: {
        CORS_ORIGINS: site.origin,
        RESUMABLE_THRESHOLD: '64KiB',
        TUS_CHUNK_SIZE: '1MiB',
        UPLOAD_IDLE_TIMEOUT: '1000',
        PROGRESS_INTERVAL_MS: '50',
      },
    });
    browser = await launchChromium();
    files = await mkdtemp(join(tmpdir(), 'livedrop-e2e-files-'));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await site?.close();
    if (api) await removeDir(api.uploadDir);
    if (files) await rm(files, { recursive: true, force: true });
  });

  const pageUrl = () => `${site.origin}/?api=${encodeURIComponent(api.origin)}`;

  it('resumes by itself after the network is cut; a second dashboard shows uploading → paused → uploading → completed', async () => {
    const data = randomBytes(3 * MiB);
    const path = join(files, 'offline.bin');
    await writeFile(path, data);
    const dashboard = await openConnectedPage(browser, api.page());
    await recordStatuses(dashboard, 'offline.bin');
    const page = await openConnectedPage(browser, pageUrl());
    const cdp = await throttleUploads(page, 1 * MiB);
    await page.setInputFiles('#file-input', path);

    await dashboard.locator('#live li[data-status="uploading"]', { hasText: 'offline.bin' }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await cdp.send('Network.emulateNetworkConditions', {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await dashboard
      .locator('#live li[data-status="paused"]', { hasText: 'offline.bin' })
      .waitFor({ timeout: 15_000 });
    expect(
      await dashboard.locator('#live li[data-status="paused"]', { hasText: 'offline.bin' }).textContent(),
    ).toContain('resumable until');
    await screenshot(dashboard, 'tus-paused');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 4 * MiB,
    });

    const done = dashboard.locator('#live li[data-status="completed"]', { hasText: 'offline.bin' });
    await done.waitFor({ timeout: 30_000 });
    expect(await done.locator('code.sha256').getAttribute('title')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
    const seen = await statuses(dashboard);
    const paused = seen.indexOf('paused');
    expect(seen[0]).toBe('uploading');
    expect(paused).toBeGreaterThan(0);
    expect(seen.slice(paused)).toEqual(['paused', 'uploading', 'completed']);
    await page.close();
    await dashboard.close();
  }, 90_000);

  it('after a reload lists the unfinished upload; the same file chosen again resumes it from the server offset', async () => {
    const data = randomBytes(3 * MiB);
    const path = join(files, 'reload.bin');
    await writeFile(path, data);
    const page = await openConnectedPage(browser, pageUrl());
    await throttleUploads(page, 1 * MiB);
    await page.setInputFiles('#file-input', path);
    // Wait until the server holds part of it (one chunk is 1 MiB).
    await page.locator('#live li', { hasText: 'reload.bin' }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1800));
    await page.reload();
    await page.waitForSelector('#connection[data-state="connected"]');

    const unfinished = page.locator('#unfinished li', { hasText: 'reload.bin' });
    await unfinished.waitFor();
    const text = (await unfinished.textContent()) ?? '';
    const percent = Number(/resume from (\d+) %/.exec(text)?.[1]);
    expect(percent).toBeGreaterThan(0);
    const uploadUrl = (await unfinished.getAttribute('data-upload-url'))!;
    await screenshot(page, 'tus-unfinished');

    await page.setInputFiles('#file-input', path);
    const done = page.locator('#live li[data-status="completed"]', { hasText: 'reload.bin' });
    await done.waitFor({ timeout: 30_000 });
    const { uploads } = (await (await fetch(`${api.origin}/api/uploads`)).json()) as {
      uploads: { id: string; name: string; sha256: string }[];
    };
    const stored = uploads.filter((u) => u.name === 'reload.bin');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id).toBe(uploadUrl.split('/').at(-1));
    expect(stored[0]!.sha256).toBe(createHash('sha256').update(data).digest('hex'));
  }, 90_000);

  it('Cancel terminates the resumable upload on the server: watchers see it aborted, its URL answers 410', async () => {
    const data = randomBytes(3 * MiB);
    const path = join(files, 'cancel.bin');
    await writeFile(path, data);
    const page = await openConnectedPage(browser, pageUrl());
    await throttleUploads(page, 1 * MiB);
    await page.setInputFiles('#file-input', path);
    const live = page.locator('#live li[data-status="uploading"]', { hasText: 'cancel.bin' });
    await live.waitFor();
    const id = (await live.getAttribute('data-id')) ?? '';
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await page.locator('#queue li', { hasText: 'cancel.bin' }).locator('button.cancel').click();
    await page.locator('#live li[data-status="aborted"]', { hasText: 'cancel.bin' }).waitFor();
    const head = await fetch(`${api.origin}/api/tus/${id}`, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
    });
    expect(head.status).toBe(410);
    const { uploads } = (await (await fetch(`${api.origin}/api/uploads`)).json()) as {
      uploads: { name: string }[];
    };
    expect(uploads.map((u) => u.name)).not.toContain('cancel.bin');
  }, 60_000);
});
