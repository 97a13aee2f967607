// A file over MAX_FILE_SIZE gets the server's own message: refused up front when the page knows the
// limit, and refused by the server when the limit shrank after the page loaded (a restart with a new
// setting). In that second case the server answers 413 before reading the body, which the browser
// may report as a network error; the page then rechecks /api/config and says what the server said.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, runE2e, screenshot } from './harness/browser.js';
import { multipartBody } from './harness/page-files.js';
import { type LivedropServer, removeDir, startServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

const LIMIT = { MAX_FILE_SIZE: '1KiB' };

/** What the server itself answers to a too-large upload. */
async function serverMessage(server: LivedropServer): Promise<string> {
  const { payload, contentType } = await multipartBody([
    { name: 'big.bin', type: 'application/octet-stream', content: Buffer.alloc(4096) },
  ]);
  const response = await fetch(`${server.origin}/api/uploads`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: new Uint8Array(payload),
  });
  expect(response.status).toBe(413);
  const body = (await response.json()) as { code: string; message: string };
  expect(body.code).toBe('UPLOAD_FILE_TOO_LARGE');
  return body.message;
}

describe.runIf(runE2e)('files over the size limit (Chromium)', () => {
  let ui: string;
  let server: LivedropServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ui = await builtUi();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) await removeDir(server.uploadDir);
  });

  it("refuses a file over the page's known limit with the server's message", async () => {
    server = await startServer(ui, { env: LIMIT });
    const message = await serverMessage(server);
    page = await openPage(browser, server.page());
    await page.locator('#limits', { hasText: '1 KiB' }).waitFor();

    await page.setInputFiles('#file-input', [
      { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4096) },
      { name: 'small.txt', mimeType: 'text/plain', buffer: Buffer.from('fits') },
    ]);
    const rejection = page.locator('#rejections li', { hasText: 'big.bin' });
    await rejection.waitFor();
    expect(await rejection.textContent()).toBe(`big.bin: ${message}`);
    // The file that fits still goes.
    await page.locator('#queue li[data-status="done"]', { hasText: 'small.txt' }).waitFor();
    expect(await page.locator('#queue li', { hasText: 'big.bin' }).count()).toBe(0);
    await screenshot(page, 'too-large-refused-up-front');
  });

  it('shows the server message when the server refuses mid-send (413 before the body is read)', async () => {
    // Same port and storage, a 5 GiB limit: the page learns that limit...
    const { port, uploadDir } = server;
    await server.stop();
    server = await startServer(ui, { port, uploadDir, env: { MAX_FILE_SIZE: '5GiB' } });
    await page.reload();
    await page.locator('#limits', { hasText: '5 GiB' }).waitFor();
    // ...then the server restarts with 1 KiB while the page stays open.
    await server.stop();
    server = await startServer(ui, { port, uploadDir, env: LIMIT });
    const message = await serverMessage(server);

    await page.setInputFiles('#file-input', {
      name: 'huge.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(8 * 1024 * 1024, 7),
    });
    const row = page.locator('#queue li[data-status="failed"]', { hasText: 'huge.bin' });
    await row.waitFor();
    expect(await row.locator('.error').textContent()).toBe(message);
    // A refusal is final: neither retried automatically nor offered a Retry, only Remove.
    expect(await row.getByRole('button', { name: 'Retry upload of huge.bin' }).count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Remove huge.bin from this list' }).isVisible()).toBe(true);
    await screenshot(page, 'too-large-refused-by-server');
  });
});
