// <livedrop-upload> on a host page (another origin) sending a big file resumably, when the network is
// cut mid-upload (issue 15, "a cut network resumes"): once as the browser sees it (DevTools offline:
// navigator.onLine goes false, tus-js-client stops retrying and the element waits for `online`), once
// as a real TCP reset mid-PATCH through a proxy (the browser stays online, tus-js-client retries). Both
// times the same upload carries on from the server's offset, the server holds the exact bytes, and
// the host form's hidden input carries the id.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ResetProxy, startResetProxy } from '../fixtures/reset-proxy.js';
import { launchChromium, runE2e, screenshot, throttleUploads } from './harness/browser.js';
import { builtEmbed } from './harness/embed-build.js';
import { type LivedropServer, removeDir, startServer, startStaticServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

const MiB = 1024 * 1024;
const SIZE = 32 * MiB;

/** What the server saw of one tus request: the upload, the offset it was sent at and the one answered. */
interface TusRequest {
  method: string;
  /** The upload's id; '' for a creation (POST /api/tus). */
  id: string;
  sentAt?: number;
  answered?: number;
}

const hostPage = (server: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Job application</title>
<script type="module" src="${server}/embed/livedrop-upload.js"></script>
<script>
  document.addEventListener('livedrop-upload-progress', (event) => window.progress?.(event.detail.sent));
</script></head><body>
<form action="/received.html" method="get">
  <livedrop-upload server="${server}" name="portfolio"></livedrop-upload>
  <button id="send">Send</button>
</form></body></html>`;

describe.runIf(runE2e)('<livedrop-upload> resumes after a cut network (Chromium)', () => {
  let hostDir: string;
  let files: string;
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  let api: LivedropServer;
  let proxy: ResetProxy;
  let browser: Browser;
  let data: Buffer;
  let path: string;
  const tusRequests: TusRequest[] = [];
  /** Every connection the server accepted (reset before each case): what it received in all. */
  const sockets = new Set<Socket>();
  const bytesReceived = () => [...sockets].reduce((sum, socket) => sum + socket.bytesRead, 0);

  beforeAll(async () => {
    const [ui, embed] = await Promise.all([builtUi(), builtEmbed()]);
    hostDir = await mkdtemp(join(tmpdir(), 'livedrop-e2e-embed-resume-host-'));
    files = await mkdtemp(join(tmpdir(), 'livedrop-e2e-embed-resume-files-'));
    site = await startStaticServer(hostDir);
    api = await startServer(ui, {
      embedRoot: embed,
      // The defaults: files above 8 MiB go through tus in 8 MiB PATCHes.
      env: { CORS_ORIGINS: site.origin },
      async beforeListen(app) {
        const answered = new WeakMap<object, TusRequest>();
        app.addHook('onRequest', async (request) => {
          const match = /^\/api\/tus(?:\/([^/?]+))?$/.exec(request.url);
          if (!match || request.method === 'OPTIONS') return;
          const seen: TusRequest = { method: request.method, id: match[1] ?? '' };
          const offset = request.headers['upload-offset'];
          if (offset !== undefined) seen.sentAt = Number(offset);
          tusRequests.push(seen);
          answered.set(request, seen);
        });
        app.addHook('onResponse', async (request, reply) => {
          const seen = answered.get(request);
          const offset = reply.getHeader('upload-offset');
          if (seen && offset !== undefined) seen.answered = Number(offset);
        });
        app.server.on('connection', (socket: Socket) => sockets.add(socket));
      },
    });
    proxy = await startResetProxy({
      targetPort: api.port,
      resets: 1,
      minBytes: 3 * MiB,
      maxBytes: 7 * MiB,
    });
    await writeFile(join(hostDir, 'apply.html'), hostPage(api.origin));
    await writeFile(join(hostDir, 'apply-via-proxy.html'), hostPage(proxy.url));
    await writeFile(join(hostDir, 'received.html'), '<!doctype html><title>Received</title>');
    data = randomBytes(SIZE);
    path = join(files, 'portfolio.bin');
    await writeFile(path, data);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([api?.stop(), site?.close(), proxy?.close()]);
    for (const dir of [api?.uploadDir, hostDir, files]) if (dir) await removeDir(dir);
  });

  async function openHost(url: string): Promise<{ page: Page; sent: number[] }> {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => {
      throw new Error(`uncaught error in the page: ${error.message}`);
    });
    const sent: number[] = [];
    await page.exposeFunction('progress', (bytes: number) => sent.push(bytes));
    await page.goto(url);
    await page.locator('livedrop-upload [part~="button"]').waitFor();
    return { page, sent };
  }

  const waitFor = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
  };

  /** The file finished: its id in the element's row, in the host form's submit, and the exact bytes on livedrop. */
  async function expectStored(page: Page): Promise<string> {
    const done = page.locator('livedrop-upload [part~="item"][data-status="done"]');
    await done.waitFor({ timeout: 60_000 });
    const id = (await done.getAttribute('data-upload-id'))!;
    await expect(page.locator('livedrop-upload input[type="hidden"]').getAttribute('value')).resolves.toBe(
      id,
    );
    await Promise.all([page.waitForURL(`${site.origin}/received.html?**`), page.click('#send')]);
    expect(new URL(page.url()).searchParams.getAll('portfolio')).toEqual([id]);
    const stored = (await (await fetch(`${api.origin}/api/uploads/${id}`)).json()) as {
      status: string;
      size: number;
      sha256: string;
    };
    expect(stored).toMatchObject({ status: 'completed', size: SIZE });
    expect(stored.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    return id;
  }

  /** After the cut, the same upload went on from a non-zero offset the server kept; sent once, not twice. */
  function expectResumed(id: string, requests: TusRequest[]): number {
    expect(requests.filter((each) => each.id === '')).toHaveLength(1);
    expect(requests.every((each) => each.id === '' || each.id === id)).toBe(true);
    const head = requests.findIndex((each) => each.method === 'HEAD');
    const resumedAt = requests[head]?.answered ?? 0;
    expect(resumedAt).toBeGreaterThan(0);
    const patches = requests.slice(head).filter((each) => each.method === 'PATCH');
    expect(patches[0]?.sentAt).toBe(resumedAt);
    expect(patches.every((each) => each.sentAt! >= resumedAt)).toBe(true);
    expect(bytesReceived()).toBeLessThan(2 * SIZE);
    return resumedAt;
  }

  it('offline (DevTools) mid-upload: the row says it waits, and back online the upload goes on from the server offset', async () => {
    const { page, sent } = await openHost(`${site.origin}/apply.html`);
    const cdp = await throttleUploads(page, 4 * MiB);
    const first = tusRequests.length;
    sockets.clear();
    await page.locator('livedrop-upload input[type="file"]').setInputFiles(path);
    // Cut in the second of four PATCHes: the first one's 8 MiB are durable on the server.
    await waitFor(() => (sent.at(-1) ?? 0) > 10 * MiB);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const row = page.locator('livedrop-upload [part~="item"][data-offline="true"]');
    await row.waitFor({ timeout: 30_000 });
    await expect(row.locator('[part~="status"]').textContent()).resolves.toBe(
      'Offline: it goes on when the network is back…',
    );
    await expect(row.getAttribute('data-status')).resolves.toBe('uploading');
    await screenshot(page, 'embed-element-offline');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const id = await expectStored(page);
    expectResumed(id, tusRequests.slice(first));
    await page.context().close();
  }, 120_000);

  it('a TCP reset mid-PATCH (a real proxy): tus-js-client retries and the upload goes on from the bytes the server kept', async () => {
    const { page } = await openHost(`${site.origin}/apply-via-proxy.html`);
    const first = tusRequests.length;
    sockets.clear();
    await page.locator('livedrop-upload input[type="file"]').setInputFiles(path);
    const id = await expectStored(page);
    expect(proxy.resetCount).toBe(1);
    const resumedAt = expectResumed(id, tusRequests.slice(first));
    // The cut PATCH's bytes that reached the server were kept: it resumed mid-chunk, not at a chunk edge.
    expect(resumedAt % (8 * MiB)).not.toBe(0);
    await page.context().close();
  }, 120_000);
});
