// Two livedrop nodes on one Redis, a dashboard on each (Chromium): a file dropped on one shows up on
// the other; while Redis is down both pages say the feed is delayed (uploads still go through), and
// when it is back both show everything, the file sent meanwhile included.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../fixtures/redis-server.js';
import { launchChromium, openConnectedPage, runE2e, screenshot } from './harness/browser.js';
import { type LivedropServer, removeDir, startServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

describe.runIf(runE2e)('two nodes, one dashboard (Chromium)', () => {
  let redis: RedisServer;
  let nodes: LivedropServer[] = [];
  let browser: Browser;
  let pages: Page[];
  const uploadDir = mkdtempSync(join(tmpdir(), 'livedrop-e2e-cluster-'));

  beforeAll(async () => {
    const ui = await builtUi();
    redis = await startRedisServer();
    const env = (id: string) => ({ REDIS_URL: redis.url, NODE_ID: id, NODE_HEARTBEAT_MS: '200' });
    nodes = [
      await startServer(ui, { uploadDir, env: env('e2e-a') }),
      await startServer(ui, { uploadDir, env: env('e2e-b') }),
    ];
    browser = await launchChromium();
    pages = [
      await openConnectedPage(browser, nodes[0]!.page()),
      await openConnectedPage(browser, nodes[1]!.page()),
    ];
  });

  afterAll(async () => {
    await browser?.close();
    for (const node of nodes) await node.stop();
    await redis?.stop();
    await removeDir(uploadDir);
  });

  const send = (page: Page, name: string) =>
    page.setInputFiles('#file-input', { name, mimeType: 'text/plain', buffer: Buffer.from(name) });
  const completedOn = (page: Page, name: string) =>
    page.locator('#live li[data-status="completed"]', { hasText: name }).waitFor();

  it('shows a file dropped on node A live on node B', async () => {
    await send(pages[0]!, 'from-a.txt');
    await completedOn(pages[1]!, 'from-a.txt');
    await screenshot(pages[1]!, 'cluster-node-b');
  });

  it('says "Delayed" on both pages while Redis is down, then both converge on every upload', async () => {
    await redis.restart({
      whileDown: async () => {
        for (const page of pages) await page.waitForSelector('#connection[data-state="degraded"]');
        expect(await pages[0]!.textContent('#connection .connection-text')).toBe('Delayed');
        await screenshot(pages[0]!, 'cluster-degraded');
        // Uploads still go through while the feed is delayed.
        const form = new FormData();
        form.append('file', new Blob(['meanwhile']), 'meanwhile.txt');
        const answer = await fetch(`${nodes[0]!.origin}/api/uploads`, { method: 'POST', body: form });
        expect(answer.status).toBe(201);
      },
    });
    for (const page of pages) {
      await page.waitForSelector('#connection[data-state="connected"]');
      await completedOn(page, 'meanwhile.txt');
      await completedOn(page, 'from-a.txt');
    }
  });
});
