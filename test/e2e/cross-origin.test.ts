// The page on one origin, the API on another (?api=…): uploads go through CORS (with a preflight,
// since X-Upload-Ref is a custom header) and the live feed passes the server's Origin allowlist.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openConnectedPage, runE2e, screenshot } from './harness/browser.js';
import { sha256 } from './harness/page-files.js';
import { type LivedropServer, removeDir, startServer, startStaticServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

describe.runIf(runE2e)('a page on another origin (Chromium)', () => {
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  let api: LivedropServer;
  let browser: Browser;

  beforeAll(async () => {
    const ui = await builtUi();
    site = await startStaticServer(ui);
    api = await startServer(ui, { env: { CORS_ORIGINS: site.origin } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await site?.close();
    if (api) await removeDir(api.uploadDir);
  });

  it('uploads to the API origin and follows its live feed', async () => {
    expect(site.origin).not.toBe(api.origin);
    const page = await openConnectedPage(browser, `${site.origin}/?api=${encodeURIComponent(api.origin)}`);

    await page.setInputFiles('#file-input', {
      name: 'far-away.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('across origins'),
    });
    const row = page.locator('#queue li[data-status="done"]', { hasText: 'far-away.txt' });
    await row.waitFor();
    const ref = await row.getAttribute('data-ref');
    const live = page.locator(`#live li[data-ref="${ref}"][data-status="completed"]`);
    await live.waitFor();
    expect(await live.locator('code.sha256').getAttribute('title')).toBe(sha256('across origins'));
    expect(await live.locator('a.download').getAttribute('href')).toMatch(new RegExp(`^${api.origin}/`));
    await screenshot(page, 'cross-origin');
  });
});
