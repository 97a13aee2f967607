// A network that blocks WebSocket (here: the page's WebSocket pointed at a closed port, as a proxy
// that drops Upgrade would leave it): after repeated failures the page switches to Server-Sent Events
// on the same URL and the dashboard stays live.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTED, launchChromium, openConnectedPage, runE2e } from './harness/browser.js';
import { type LivedropServer, removeDir, startServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

describe.runIf(runE2e)('falling back to SSE (Chromium)', () => {
  let server: LivedropServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer(await builtUi());
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) await removeDir(server.uploadDir);
  });

  it('uses WebSocket when it works', async () => {
    const page = await openConnectedPage(browser, server.page());
    expect(await page.getAttribute('#connection', 'title')).toBe('WebSocket');
  });

  it('switches to Server-Sent Events when WebSocket keeps failing, and stays live', async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          void url;
          super('ws://127.0.0.1:9/blocked', protocols);
        }
      };
    });
    const page = await context.newPage();
    await page.goto(server.page());
    await page.waitForSelector(CONNECTED, { timeout: 15_000 });
    expect(await page.getAttribute('#connection', 'title')).toBe('Server-Sent Events');

    await page.setInputFiles('#file-input', {
      name: 'via-sse.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('sse'),
    });
    await page.locator('#live li[data-status="completed"]', { hasText: 'via-sse.txt' }).waitFor();
    await context.close();
  });
});
