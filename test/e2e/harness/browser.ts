// Debian's Chromium driven through playwright-core. The suite runs when the browser is installed;
// with LIVEDROP_E2E=required (CI) a missing browser is a failure, not a skip.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
export const e2eRequired = process.env.LIVEDROP_E2E === 'required';
/** Whether the browser suites run: always when required, so that a missing browser fails loudly. */
export const runE2e = hasChromium || e2eRequired;

if (!hasChromium && !e2eRequired) {
  console.warn(
    `[e2e] Chromium not found at ${CHROMIUM_PATH}: browser tests skipped. ` +
      'Install it (apt-get install -y chromium) or set CHROMIUM_PATH; LIVEDROP_E2E=required makes this an error.',
  );
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Each launch gets a fresh temporary profile (playwright creates and removes its user-data-dir). */
export async function launchChromium(): Promise<Browser> {
  if (!hasChromium) {
    throw new Error(
      `LIVEDROP_E2E=required but Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium)`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}

/** A page that fails the test on uncaught page errors instead of hiding them. */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw new Error(`uncaught error in the page: ${error.message}`);
  });
  await page.goto(url);
  return page;
}

/** The connection badge once the page's live feed is up. */
export const CONNECTED = '#connection[data-state="connected"]';

/** openPage, then waits until the page's live feed is connected. */
export async function openConnectedPage(browser: Browser, url: string): Promise<Page> {
  const page = await openPage(browser, url);
  await page.waitForSelector(CONNECTED);
  return page;
}

const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  // Finite transitions (progress fills) jump to their end, so a shot shows the state, not a frame of it.
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Throttles this page's uploads (DevTools network emulation), so a cancel lands mid-upload. Returns
 *  the DevTools session, to change or lift the throttle later. */
export async function throttleUploads(page: Page, bytesPerSecond: number): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
  return cdp;
}
