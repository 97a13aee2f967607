// The live panel as a library of 5,000 uploads (seeded straight into UPLOAD_DIR before the server
// starts): scrolling to the bottom pages through all of them, each page asked for once, with no long
// task and never more than a few dozen rows in the DOM; a new upload from a second page lands at the
// top while the first page is scrolled half-way, without moving what that page shows; the page in
// light and dark, checked with axe-core.

import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Upload } from '../../server/uploads/upload.js';
import { seedUploads } from '../fixtures/seed-uploads.js';
import { launchChromium, openConnectedPage, runE2e, screenshot } from './harness/browser.js';
import { longTasks, startTrace, stopTrace, watchLongTasks } from './harness/main-thread.js';
import { type LivedropServer, removeDir, startServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

const SEEDED = 5000;
const PAGE_SIZE = 100;
const ROW_HEIGHT = 82;
const FLING_PX = 1200;
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Scrolls the list down FLING_PX per frame (72,000 px/s at 60 frames/s, far faster than a wheel or a
 * flick), from inside the page so no round trip paces it; at the end of what is loaded it waits for
 * the next page. Ends once the row `lastId` is shown and the list is at its end. Returns the most
 * rows the DOM held at any frame.
 */
function fling(page: Page, lastId: string): Promise<number> {
  return page.evaluate(
    async ({ step, lastId }) => {
      const viewport = document.getElementById('live-viewport')!;
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      let most = 0;
      for (let frames = 0; frames < 20_000; frames++) {
        viewport.scrollBy(0, step);
        await frame();
        most = Math.max(most, document.querySelectorAll('#live > li').length);
        const atEnd = viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - 1;
        if (atEnd && document.querySelector(`#live > li[data-id="${lastId}"]`)) return most;
      }
      throw new Error('the list never reached its last upload');
    },
    { step: FLING_PX, lastId },
  );
}

/** The ids of the rows on screen in the list's box, with their distance from its top edge. */
function rowsOnScreen(page: Page) {
  return page.evaluate(() => {
    const viewport = document.getElementById('live-viewport')!.getBoundingClientRect();
    return [...document.querySelectorAll<HTMLElement>('#live > li')]
      .map((row) => ({ id: row.dataset.id!, top: row.getBoundingClientRect().top - viewport.top }))
      .filter((row) => row.top >= 0 && row.top < viewport.height)
      .sort((a, b) => a.top - b.top);
  });
}

describe.runIf(runE2e)('the library: 5,000 uploads in the live panel (Chromium)', () => {
  let server: LivedropServer;
  let browser: Browser;
  let seeded: Upload[];
  /** Every GET /api/uploads the server answered, by its query string. */
  const listings: URLSearchParams[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'livedrop-e2e-library-'));
    seeded = await seedUploads(dir, SEEDED);
    server = await startServer(await builtUi(), {
      uploadDir: dir,
      beforeListen: async (app) => {
        app.addHook('onRequest', async (request) => {
          const url = new URL(request.url, 'http://x');
          if (request.method === 'GET' && url.pathname === '/api/uploads') listings.push(url.searchParams);
        });
      },
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) await removeDir(server.uploadDir);
  });

  it('scrolls to the bottom: every page loaded exactly once, no task over 50 ms of main-thread time, a few dozen rows in the DOM', async () => {
    listings.length = 0;
    const page = await openConnectedPage(browser, server.page());
    await page.locator(`#live li[data-id="${seeded[0]!.id}"]`).waitFor();
    await watchLongTasks(page);
    // A fling through the whole list, one step per frame, waiting at the end of what is loaded for
    // the next page, until the oldest upload is on screen; traced, for each task's thread time.
    await startTrace(browser, page);
    const mostRows = await fling(page, seeded.at(-1)!.id);
    const tasks = await stopTrace(browser);
    const observed = await longTasks(page);
    // None of the page's tasks may run 50 ms (thread time, see harness/main-thread.ts); the longtask
    // entries (wall time) are reported with the load average. On a quiet machine there are none.
    const worst = Math.max(...tasks.map((task) => task.cpuMs));
    expect(
      worst,
      `longtask entries (wall ms): ${JSON.stringify(observed)}; load average ${loadavg().map((l) => l.toFixed(1))}`,
    ).toBeLessThan(50);
    expect(tasks.length).toBeGreaterThan(100);
    expect(mostRows).toBeGreaterThan(5);
    expect(mostRows).toBeLessThanOrEqual(60);
    // The list is as tall as 5,000 rows, and its last row is the oldest upload.
    expect(await page.evaluate(() => document.getElementById('live')!.style.height)).toBe(
      `${SEEDED * ROW_HEIGHT}px`,
    );
    const last = page.locator(`#live li[data-id="${seeded.at(-1)!.id}"]`);
    expect(await last.getAttribute('aria-posinset')).toBe(String(SEEDED));
    expect(await last.getAttribute('aria-setsize')).toBe(String(SEEDED));

    // Pages: the first without a cursor, then each `next` once, 50 in all.
    const cursors = listings.map((query) => query.get('before'));
    expect(cursors.length).toBe(SEEDED / PAGE_SIZE);
    expect(cursors[0]).toBeNull();
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(listings.every((query) => query.get('limit') === String(PAGE_SIZE))).toBe(true);
    await page.context().close();
  }, 120_000);

  it('puts a new upload from a second page at the top while the first is scrolled half-way, without moving what it shows', async () => {
    const reader = await openConnectedPage(browser, server.page());
    const sender = await openConnectedPage(browser, server.page());
    await reader.locator('#live li').first().waitFor();
    // Half-way down what the first pages hold (200 rows loaded by then).
    await reader.evaluate(
      (top) => {
        document.getElementById('live-viewport')!.scrollTop = top;
      },
      60 * ROW_HEIGHT + 30,
    );
    await reader.waitForFunction(() => document.querySelectorAll('#live > li[data-id]').length > 0);
    await reader.waitForTimeout(200);
    const before = await rowsOnScreen(reader);
    const heightBefore = await reader.evaluate(() => document.getElementById('live')!.offsetHeight);
    expect(before.length).toBeGreaterThan(3);

    await sender.setInputFiles('#file-input', {
      name: 'brand-new.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('fresh'),
    });
    await sender.locator('#queue li[data-status="done"]').waitFor();
    // The reader's list grew by the new row (started, then completed: still one row)...
    await reader.waitForFunction(
      (height) => document.getElementById('live')!.offsetHeight === height,
      heightBefore + ROW_HEIGHT,
    );
    await reader.waitForTimeout(300);
    // ...and the rows it was showing stayed exactly where they were.
    expect(await rowsOnScreen(reader)).toEqual(before);
    // At the top, the new upload is first.
    await reader.evaluate(() => {
      document.getElementById('live-viewport')!.scrollTop = 0;
    });
    const first = reader.locator('#live li[aria-posinset="1"]');
    await expect.poll(() => first.locator('.name').textContent()).toBe('brand-new.txt');
    expect(await first.getAttribute('data-status')).toBe('completed');
    await reader.context().close();
    await sender.context().close();
  });

  it('has no serious accessibility violations (axe-core), in light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 860 },
        colorScheme: scheme,
      });
      const page = await context.newPage();
      await page.goto(server.page());
      await page.locator('#connection[data-state="connected"]').waitFor();
      await page.locator('#live li').first().waitFor();
      // A selection, so the selection bar is checked too.
      await page.locator('#live li input.select').first().check();
      await page.addScriptTag({ path: axeSource });
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
            };
          }
        ).axe;
        const result = await axe.run();
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      expect(violations).toEqual([]);
      await screenshot(page, `library-${scheme}`);
      await context.close();
    }
  });
});
