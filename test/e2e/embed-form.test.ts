// A plain HTML form on another site (no JavaScript) posting files to livedrop, in Chromium: the
// host page is served by a static server on its own port (its own origin), livedrop on another.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openConnectedPage, openPage, runE2e, screenshot } from './harness/browser.js';
import { type LivedropServer, removeDir, startServer, startStaticServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

type Site = Awaited<ReturnType<typeof startStaticServer>>;

/** The host's form page: a redirect field (if any) first, then a multiple file input. */
const formPage = (action: string, redirect: string | null) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Apply</title></head><body>
<form method="post" enctype="multipart/form-data" action="${action}">
  ${redirect === null ? '' : `<input type="hidden" name="redirect" value="${redirect}">`}
  <label>Your files <input id="files" type="file" name="attachment" multiple></label>
  <button id="send">Send</button>
</form></body></html>`;

describe.runIf(runE2e)('a plain HTML form on another site posting to livedrop (Chromium)', () => {
  let hostDir: string;
  let site: Site;
  let elsewhere: Site;
  let api: LivedropServer;
  let browser: Browser;

  beforeAll(async () => {
    hostDir = await mkdtemp(join(tmpdir(), 'livedrop-e2e-host-'));
    site = await startStaticServer(hostDir);
    elsewhere = await startStaticServer(hostDir);
    api = await startServer(await builtUi(), { env: { CORS_ORIGINS: site.origin } });
    const action = `${api.origin}/api/uploads`;
    await writeFile(join(hostDir, 'apply.html'), formPage(action, `${site.origin}/thanks.html?form=apply`));
    await writeFile(join(hostDir, 'phish.html'), formPage(action, `${elsewhere.origin}/thanks.html`));
    await writeFile(join(hostDir, 'plain.html'), formPage(action, null));
    await writeFile(join(hostDir, 'thanks.html'), '<!doctype html><title>Thanks</title><h1>Thank you</h1>');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await site?.close();
    await elsewhere?.close();
    if (api) await removeDir(api.uploadDir);
    if (hostDir) await removeDir(hostDir);
  });

  const stored = async () =>
    ((await (await fetch(`${api.origin}/api/uploads`)).json()) as { uploads: { id: string; name: string }[] })
      .uploads;

  it('lands on the host thank-you page with both ids; the files are on livedrop and on its dashboard', async () => {
    const page = await openPage(browser, `${site.origin}/apply.html`);
    await page.setInputFiles('#files', [
      { name: 'cover letter.txt', mimeType: 'text/plain', buffer: Buffer.from('Dear livedrop') },
      { name: 'cv.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 not much') },
    ]);
    await Promise.all([page.waitForURL(`${site.origin}/thanks.html?**`), page.click('#send')]);
    const landed = new URL(page.url());
    expect(landed.searchParams.get('form')).toBe('apply');
    expect(landed.searchParams.getAll('upload_name')).toEqual(['cover letter.txt', 'cv.pdf']);
    const ids = landed.searchParams.getAll('upload_id');
    expect(ids).toHaveLength(2);
    await expect(page.locator('h1').textContent()).resolves.toBe('Thank you');

    const byId = new Map((await stored()).map((upload) => [upload.id, upload.name]));
    expect(ids.map((id) => byId.get(id))).toEqual(['cover letter.txt', 'cv.pdf']);
    const content = await fetch(`${api.origin}/api/uploads/${ids[0]}/content`);
    expect(await content.text()).toBe('Dear livedrop');

    const dashboard = await openConnectedPage(browser, api.page());
    for (const name of ['cover letter.txt', 'cv.pdf']) {
      await dashboard.locator('#live li[data-status="completed"]', { hasText: name }).waitFor();
    }
    await screenshot(page, 'embed-form-thanks');
    await screenshot(dashboard, 'embed-form-dashboard');
    await dashboard.context().close();
    await page.context().close();
  });

  it('refuses a redirect to a foreign origin with a 400 page on livedrop and stores nothing', async () => {
    const before = (await stored()).length;
    const page = await openPage(browser, `${site.origin}/phish.html`);
    await page.setInputFiles('#files', [
      { name: 'bait.txt', mimeType: 'text/plain', buffer: Buffer.from('x') },
    ]);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#send')]);
    expect(response?.status()).toBe(400);
    expect(new URL(page.url()).origin).toBe(api.origin);
    await expect(page.locator('[role="alert"]').textContent()).resolves.toContain(
      `${elsewhere.origin} is not an allowed origin`,
    );
    expect(await stored()).toHaveLength(before);
    await screenshot(page, 'embed-form-refused-redirect');
    await page.context().close();
  });

  it('without a redirect shows the HTML result page with a link to each file', async () => {
    const page = await openPage(browser, `${site.origin}/plain.html`);
    await page.setInputFiles('#files', [
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('plain form') },
    ]);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#send')]);
    expect(response?.status()).toBe(201);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Stored 1 file');
    const link = page.locator('main li a', { hasText: 'notes.txt' });
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\/api\/uploads\/[^/]+\/content$/);
    expect(await (await fetch(new URL(href!, page.url()))).text()).toBe('plain form');
    await screenshot(page, 'embed-form-result');
    await page.context().close();
  });
});
