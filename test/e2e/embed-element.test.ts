// <livedrop-upload> on a host page served from another origin, in Chromium: the module comes from
// livedrop's /embed/, the host's form is a plain GET form to its own "backend" page, so what the
// host receives is visible in the URL it lands on.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, runE2e, screenshot, throttleUploads } from './harness/browser.js';
import { builtEmbed } from './harness/embed-build.js';
import { type LivedropServer, removeDir, startServer, startStaticServer } from './harness/servers.js';
import { builtUi } from './harness/web-build.js';

type Site = Awaited<ReturnType<typeof startStaticServer>>;
const ADMIN = 'embed-admin-token';

/** The host page: its own form with the element inside; events go to window.record (the test). */
const hostPage = (module: string, elementAttributes: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Support ticket</title>
<script type="module" src="${module}"></script>
<script>
  for (const type of ['livedrop-upload-progress', 'livedrop-upload-complete', 'livedrop-upload-error']) {
    document.addEventListener(type, (event) => window.record?.({
      type, name: event.detail.file.name, sent: event.detail.sent, total: event.detail.total,
      id: event.detail.upload?.id, status: event.detail.status,
    }));
  }
</script></head><body>
<form id="ticket" action="/received.html" method="get">
  <input name="subject" value="Broken">
  <livedrop-upload id="up" ${elementAttributes}></livedrop-upload>
  <button id="send">Send</button>
</form>
<script>
  const token = new URLSearchParams(location.search).get('token');
  if (token) document.getElementById('up').setAttribute('token', token);
</script>
</body></html>`;

interface Recorded {
  type: string;
  name: string;
  sent?: number;
  total?: number;
  id?: string;
  status?: number;
}

async function openHost(browser: Browser, url: string): Promise<{ page: Page; events: Recorded[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw new Error(`uncaught error in the page: ${error.message}`);
  });
  const events: Recorded[] = [];
  // A binding survives the host form's navigation, so no event is lost when the page goes.
  await page.exposeFunction('record', (event: Recorded) => events.push(event));
  await page.goto(url);
  await page.locator('livedrop-upload [part~="button"]').waitFor();
  return { page, events };
}

const pick = (page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) =>
  page.locator('livedrop-upload input[type="file"]').setInputFiles(files);

/** Dispatches a drop (or a paste) of generated files on the element, as the desktop would. */
async function dropOrPaste(
  page: Page,
  kind: 'drop' | 'paste',
  files: { name: string; type: string; bytes: number }[],
) {
  await page.evaluate(
    ({ kind, files }) => {
      const transfer = new DataTransfer();
      for (const f of files)
        transfer.items.add(new File([new Uint8Array(f.bytes).fill(120)], f.name, { type: f.type }));
      const root = document.querySelector('livedrop-upload')!.shadowRoot!;
      if (kind === 'paste') {
        const button = root.querySelector('[part~="button"]') as HTMLElement;
        button.focus();
        button.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, composed: true }),
        );
        return;
      }
      const zone = root.querySelector('[part~="dropzone"]')!;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(
          new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true }),
        );
      }
    },
    { kind, files },
  );
}

const row = (page: Page, name: string, status?: string) =>
  page.locator(`livedrop-upload [part~="item"]${status ? `[data-status="${status}"]` : ''}`, {
    hasText: name,
  });

describe.runIf(runE2e)('<livedrop-upload> on another site (Chromium)', () => {
  let hostDir: string;
  let site: Site;
  let elsewhere: Site;
  let api: LivedropServer;
  let guarded: LivedropServer;
  let browser: Browser;

  beforeAll(async () => {
    const [ui, embed] = await Promise.all([builtUi(), builtEmbed()]);
    hostDir = await mkdtemp(join(tmpdir(), 'livedrop-e2e-embed-host-'));
    site = await startStaticServer(hostDir);
    elsewhere = await startStaticServer(hostDir);
    api = await startServer(ui, {
      embedRoot: embed,
      env: {
        CORS_ORIGINS: site.origin,
        ALLOWED_TYPES: 'text/*,image/*,application/octet-stream',
        // Files above 256 KiB go through tus, in 256 KiB PATCHes, as on livedrop's own page (dropped.bin).
        RESUMABLE_THRESHOLD: '256KiB',
        TUS_CHUNK_SIZE: '256KiB',
      },
    });
    guarded = await startServer(ui, {
      embedRoot: embed,
      env: { CORS_ORIGINS: site.origin, AUTH_TOKEN: ADMIN },
    });
    const attributes = `server="${api.origin}" name="attachments" multiple label-choose="Add files"`;
    await writeFile(
      join(hostDir, 'ticket.html'),
      hostPage(`${api.origin}/embed/livedrop-upload.js`, attributes),
    );
    // No server attribute: the element talks to the livedrop its module came from.
    await writeFile(
      join(hostDir, 'token.html'),
      hostPage(`${guarded.origin}/embed/livedrop-upload.js`, 'name="attachments" multiple'),
    );
    await writeFile(
      join(hostDir, 'received.html'),
      '<!doctype html><title>Received</title><h1>Received</h1>',
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([api?.stop(), guarded?.stop(), site?.close(), elsewhere?.close()]);
    for (const dir of [api?.uploadDir, guarded?.uploadDir, hostDir]) if (dir) await removeDir(dir);
  });

  const nameOf = async (server: LivedropServer, id: string) => {
    const response = await fetch(`${server.origin}/api/uploads/${id}`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    return ((await response.json()) as { name: string }).name;
  };

  it('serves its module as JavaScript to any origin (Access-Control-Allow-Origin: *)', async () => {
    const response = await fetch(`${api.origin}/embed/livedrop-upload.js`, {
      headers: { origin: 'https://any.example' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await response.text()).length).toBeGreaterThan(1000);
  });

  it('uploads picked, dropped and pasted files with progress; the submit waits, carries the ids, leaves the removed file out', async () => {
    const { page, events } = await openHost(browser, `${site.origin}/ticket.html`);
    await expect(page.locator('livedrop-upload [part~="button"]').textContent()).resolves.toBe('Add files');
    await pick(page, [
      { name: 'picked.txt', mimeType: 'text/plain', buffer: Buffer.from('picked by the visitor') },
    ]);
    await dropOrPaste(page, 'paste', [{ name: 'pasted.png', type: 'image/png', bytes: 2048 }]);
    await pick(page, [
      { name: 'unwanted.txt', mimeType: 'text/plain', buffer: Buffer.from('changed my mind') },
    ]);
    for (const name of ['picked.txt', 'pasted.png', 'unwanted.txt']) await row(page, name, 'done').waitFor();
    await expect(page.locator('livedrop-upload input[type="hidden"]').count()).resolves.toBe(3);
    // What a screen reader gets: a labelled group, a named button, and per file a labelled progress
    // bar and a remove button named after the file.
    const tree = await page.locator('livedrop-upload').ariaSnapshot();
    expect(tree).toContain('group "File upload"');
    expect(tree).toContain('button "Add files"');
    expect(tree).toMatch(/progressbar "picked\.txt"/);
    expect(tree).toContain('button "Remove unwanted.txt"');

    // Removed before submit (with the keyboard): its hidden input goes, so the form leaves it out.
    await page.locator('livedrop-upload [part~="remove"][aria-label="Remove unwanted.txt"]').press('Enter');
    await row(page, 'unwanted.txt').waitFor({ state: 'detached' });
    const unwantedId = events.find(
      (e) => e.type === 'livedrop-upload-complete' && e.name === 'unwanted.txt',
    )?.id;
    expect(unwantedId).toBeDefined();

    // A big dropped file on a slow line, so the visitor presses Send while it is still on its way.
    const cdp = await throttleUploads(page, 200_000);
    await dropOrPaste(page, 'drop', [
      { name: 'dropped.bin', type: 'application/octet-stream', bytes: 600_000 },
    ]);
    await row(page, 'dropped.bin', 'uploading').waitFor();
    await page.click('#send');
    await expect(page.locator('livedrop-upload [part~="message"]').textContent()).resolves.toContain(
      'Waiting for 1 upload(s)',
    );
    expect(new URL(page.url()).pathname).toBe('/ticket.html');
    await screenshot(page, 'embed-element-waiting');
    await page.waitForURL(`${site.origin}/received.html?**`, { timeout: 20_000 });
    await cdp.detach().catch(() => {});

    const received = new URL(page.url()).searchParams;
    expect(received.get('subject')).toBe('Broken');
    const ids = received.getAll('attachments');
    expect(ids).toHaveLength(3);
    expect(ids).not.toContain(unwantedId);
    expect(await Promise.all(ids.map((id) => nameOf(api, id)))).toEqual([
      'picked.txt',
      'pasted.png',
      'dropped.bin',
    ]);

    const progress = events.filter((e) => e.type === 'livedrop-upload-progress' && e.name === 'dropped.bin');
    expect(progress.some((e) => e.sent! > 0 && e.sent! < e.total!)).toBe(true);
    expect(progress.at(-1)?.sent).toBe(600_000);
    const completed = events.filter((e) => e.type === 'livedrop-upload-complete').map((e) => e.name);
    expect(completed.sort()).toEqual(['dropped.bin', 'pasted.png', 'picked.txt', 'unwanted.txt']);
    await page.context().close();
  });

  it('reports a refused file with an error event and blocks the submit until it is removed', async () => {
    const { page, events } = await openHost(browser, `${site.origin}/ticket.html`);
    await pick(page, [{ name: 'archive.zip', mimeType: 'application/zip', buffer: Buffer.from('PK') }]);
    await row(page, 'archive.zip', 'failed').waitFor();
    await expect(row(page, 'archive.zip').locator('[part~="status"]').textContent()).resolves.toContain(
      'application/zip is not allowed',
    );
    expect(events.find((e) => e.type === 'livedrop-upload-error')).toMatchObject({
      name: 'archive.zip',
      status: 415,
    });
    await page.click('#send');
    await expect(page.locator('livedrop-upload [part~="message"]').textContent()).resolves.toBe(
      'Remove the files that failed before sending the form.',
    );
    expect(new URL(page.url()).pathname).toBe('/ticket.html');
    await screenshot(page, 'embed-element-failed');

    await page.locator('livedrop-upload [part~="remove"]').click();
    await pick(page, [{ name: 'fine.txt', mimeType: 'text/plain', buffer: Buffer.from('fine') }]);
    await row(page, 'fine.txt', 'done').waitFor();
    await Promise.all([page.waitForURL(`${site.origin}/received.html?**`), page.click('#send')]);
    const ids = new URL(page.url()).searchParams.getAll('attachments');
    expect(await Promise.all(ids.map((id) => nameOf(api, id)))).toEqual(['fine.txt']);
    await page.context().close();
  });

  it('tells a visitor on an origin outside CORS_ORIGINS why it cannot upload', async () => {
    const { page } = await openHost(browser, `${elsewhere.origin}/ticket.html`);
    const element = page.locator('livedrop-upload[data-state="origin-refused"]');
    await element.waitFor();
    await expect(page.locator('livedrop-upload [part~="message"]').textContent()).resolves.toBe(
      `This site (${elsewhere.origin}) may not upload to ${api.origin}: its administrator must add ${elsewhere.origin} to CORS_ORIGINS.`,
    );
    await expect(page.locator('livedrop-upload [part~="button"]').isDisabled()).resolves.toBe(true);
    await screenshot(page, 'embed-element-origin-refused');
    await page.context().close();
  });

  it('uploads with a scoped token from the host backend, which cannot list or delete', async () => {
    const issued = await fetch(`${guarded.origin}/api/upload-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ origin: site.origin, maxFiles: 5, maxFileSize: '1MiB', expiresIn: 600 }),
    });
    const { token } = (await issued.json()) as { token: string };
    const { page, events } = await openHost(
      browser,
      `${site.origin}/token.html?token=${encodeURIComponent(token)}`,
    );
    await pick(page, [
      { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('first') },
      { name: 'b.txt', mimeType: 'text/plain', buffer: Buffer.from('second') },
    ]);
    for (const name of ['a.txt', 'b.txt']) await row(page, name, 'done').waitFor();
    expect(events.filter((e) => e.type === 'livedrop-upload-complete')).toHaveLength(2);

    // The token is in the page for every visitor to see: what could a visitor's script do with it?
    const id = events.find((e) => e.name === 'a.txt' && e.id)!.id!;
    const attempts = await page.evaluate(
      async ({ server, token, id }) => {
        const headers = { authorization: `Bearer ${token}` };
        const answer = async (response: Response) => ({
          status: response.status,
          code: ((await response.json()) as { code: string }).code,
        });
        return {
          list: await answer(await fetch(`${server}/api/uploads`, { headers })),
          read: await answer(await fetch(`${server}/api/uploads/${id}`, { headers })),
          remove: await answer(await fetch(`${server}/api/uploads/${id}`, { method: 'DELETE', headers })),
        };
      },
      { server: guarded.origin, token, id },
    );
    expect(attempts).toEqual({
      list: { status: 403, code: 'UPLOAD_TOKEN_SCOPE' },
      read: { status: 403, code: 'UPLOAD_TOKEN_SCOPE' },
      remove: { status: 403, code: 'UPLOAD_TOKEN_SCOPE' },
    });
    expect(await nameOf(guarded, id)).toBe('a.txt');

    await Promise.all([page.waitForURL(`${site.origin}/received.html?**`), page.click('#send')]);
    const ids = new URL(page.url()).searchParams.getAll('attachments');
    expect(await Promise.all(ids.map((each) => nameOf(guarded, each)))).toEqual(['a.txt', 'b.txt']);
    await page.context().close();
  });
});
