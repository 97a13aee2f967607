// A server with AUTH_TOKEN: the page opened with ?token= uploads (Authorization header), follows the
// feed (?token= on the feed URL) and offers download links that work on their own; opened without
// one it says what is missing.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openConnectedPage, openPage, runE2e } from './harness/browser.js';
import { type LivedropServer, removeDir, startServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

const TOKEN = 'e2e-s3cret';

describe.runIf(runE2e)('a server that needs a token (Chromium)', () => {
  let server: LivedropServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer(await builtUi(), { env: { AUTH_TOKEN: TOKEN } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) await removeDir(server.uploadDir);
  });

  it('says a token is needed when the page has none', async () => {
    const page = await openPage(browser, server.page());
    const notice = page.locator('#auth-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('?token=');
    await page.context().close();
  });

  it('uploads, watches and downloads with ?token=', async () => {
    const page = await openConnectedPage(browser, server.page(`token=${TOKEN}`));
    expect(await page.locator('#auth-notice').isHidden()).toBe(true);
    await page.setInputFiles('#file-input', {
      name: 'secret.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('for your eyes'),
    });
    const live = page.locator('#live li[data-status="completed"]', { hasText: 'secret.txt' });
    await live.waitFor();
    const href = await live.locator('a.download').getAttribute('href');
    const download = await fetch(href!);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('for your eyes');
    // The same link without the token is refused: the token really is what opens it.
    const bare = new URL(href!);
    bare.searchParams.delete('token');
    expect((await fetch(bare)).status).toBe(401);
    await page.context().close();
  });
});
