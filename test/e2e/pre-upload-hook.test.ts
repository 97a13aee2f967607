// The pre-upload hook's refusal reaches the person at the page: a real hook process refuses one file
// with its own message, which the page shows on that file's row, while an allowed file is stored.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HookReceiver, startHookReceiver } from '../fixtures/hook-receiver.js';
import { launchChromium, openPage, runE2e, screenshot } from './harness/browser.js';
import { type LivedropServer, removeDir, startServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

describe.runIf(runE2e)('pre-upload hook (Chromium)', () => {
  let hook: HookReceiver;
  let server: LivedropServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const ui = await builtUi();
    hook = await startHookReceiver();
    server = await startServer(ui, { env: { HOOK_PRE_UPLOAD_URL: hook.url } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) await removeDir(server.uploadDir);
    await hook?.stop();
  });

  it("shows the hook's message on the refused file; the allowed one is stored", async () => {
    page = await openPage(browser, server.page());
    await page.setInputFiles('#file-input', {
      name: 'deny-report.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4 not really'),
    });
    const refused = page.locator('#queue li[data-status="failed"]', { hasText: 'deny-report.pdf' });
    await refused.waitFor();
    expect(await refused.locator('.error').textContent()).toBe('Quota exceeded for alice');
    // A refusal is final: the row offers Remove, not Retry.
    expect(await refused.locator('button.retry').isHidden()).toBe(true);
    expect(await refused.locator('button.remove').isVisible()).toBe(true);

    await page.setInputFiles('#file-input', {
      name: 'allow-notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('fine'),
    });
    await page.locator('#queue li[data-status="done"]', { hasText: 'allow-notes.txt' }).waitFor();
    await screenshot(page, 'pre-upload-hook-refused');
    const calls = (await hook.calls()).calls.map((call) => call.name);
    expect(calls).toEqual(['deny-report.pdf', 'allow-notes.txt']);
  });
});
