// The server goes away: the page says so in an alert (uploads cannot go through), keeps trying, and
// once the server is back on the same port it reconnects by itself and catches up with what happened
// while it was away (an upload made before the new server accepted any connection).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONNECTED,
  launchChromium,
  openConnectedPage,
  runE2e,
  screenshot,
  throttleUploads,
} from './harness/browser.js';
import { dropFiles, multipartBody, sha256 } from './harness/page-files.js';
import { type LivedropServer, removeDir, startServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

describe.runIf(runE2e)('losing and regaining the server (Chromium)', () => {
  let ui: string;
  let server: LivedropServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ui = await builtUi();
    server = await startServer(ui);
    browser = await launchChromium();
    page = await openConnectedPage(browser, server.page());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) await removeDir(server.uploadDir);
  });

  it('shows an alert while the server is down, then reconnects and catches up', async () => {
    await page.setInputFiles('#file-input', {
      name: 'before.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('before'),
    });
    await page.locator('#live li[data-status="completed"]', { hasText: 'before.txt' }).waitFor();
    expect(await page.locator('#connection-alert').isHidden()).toBe(true);

    const { port, uploadDir } = server;
    await server.stop();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Lost the connection to the server.');
    expect(await alert.textContent()).toContain('Uploads can’t go through until it is back.');
    expect(await page.getAttribute('#connection', 'data-state')).toBe('reconnecting');
    await screenshot(page, 'reconnect-server-down');

    // Back on the same port; before it accepts connections, someone uploads a file.
    server = await startServer(ui, {
      port,
      uploadDir,
      async beforeListen(app) {
        const { payload, contentType } = await multipartBody([
          { name: 'while-you-were-away.txt', type: 'text/plain', content: 'missed it' },
        ]);
        const response = await app.inject({
          method: 'POST',
          url: '/api/uploads',
          payload,
          headers: { 'content-type': contentType },
        });
        expect(response.statusCode).toBe(201);
      },
    });

    await page.waitForSelector(CONNECTED, { timeout: 20_000 });
    await alert.waitFor({ state: 'hidden' });
    await page.locator('#live li[data-status="completed"]', { hasText: 'while-you-were-away.txt' }).waitFor();
    await page.locator('#live li[data-status="completed"]', { hasText: 'before.txt' }).waitFor();
    await expect.poll(() => page.textContent('#announcer')).toContain('Live connection restored');
    await screenshot(page, 'reconnect-caught-up');
  });

  it('retries an upload cut off by an outage on its own, and it completes once the server is back', async () => {
    await page.waitForSelector(CONNECTED);
    const cdp = await throttleUploads(page, 1024 * 1024);
    await dropFiles(page, [
      { name: 'interrupted.bin', type: 'application/octet-stream', content: { bytes: 8 * 1024 * 1024 } },
    ]);
    const row = page.locator('#queue li', { hasText: 'interrupted.bin' });
    await expect
      .poll(async () => Number(await row.locator('.bar').getAttribute('aria-valuenow')))
      .toBeGreaterThan(2);

    const { port, uploadDir } = server;
    await server.stop();
    // A network failure, not a refusal: the row waits for its automatic retry.
    await page.locator('#queue li[data-status="waiting"]', { hasText: 'interrupted.bin' }).waitFor();
    expect(await row.locator('.error').textContent()).toBe('The connection to the server failed');
    await screenshot(page, 'reconnect-upload-waiting-to-retry');

    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    server = await startServer(ui, { port, uploadDir });
    await page
      .locator('#queue li[data-status="done"]', { hasText: 'interrupted.bin' })
      .waitFor({ timeout: 20_000 });
    const live = page.locator('#live li[data-status="completed"]', { hasText: 'interrupted.bin' });
    await live.waitFor();
    expect(await live.locator('code.sha256').getAttribute('title')).toBe(
      sha256(Buffer.alloc(8 * 1024 * 1024, 120)),
    );
  });

  it('keeps a file added while the browser is offline waiting for the network, burning no retries, and sends it once it is back', async () => {
    await page.waitForSelector(CONNECTED);
    const cdp = await page.context().newCDPSession(page);
    const network = (offline: boolean) =>
      cdp.send('Network.emulateNetworkConditions', {
        offline,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    await cdp.send('Network.enable');
    await network(true);
    await dropFiles(page, [
      { name: 'offline.bin', type: 'application/octet-stream', content: { bytes: 4096 } },
    ]);
    const row = page.locator('#queue li', { hasText: 'offline.bin' });
    await page.locator('#queue li[data-status="waiting"]', { hasText: 'offline.bin' }).waitFor();
    expect(await row.locator('.status').textContent()).toBe('Offline: continues when the network is back');
    await screenshot(page, 'reconnect-upload-offline');
    await network(false);
    await page
      .locator('#queue li[data-status="done"]', { hasText: 'offline.bin' })
      .waitFor({ timeout: 20_000 });
  });
});
