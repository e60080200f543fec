/**
 * Debian's Chromium driven by `playwright-core`, for the report's browser test and measurement
 * (Playwright's own browser download is not used). Not part of the build.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env['VOLLEY_CHROMIUM'] ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface OpenedPage {
  readonly page: Page;
  /** Every URL the page asked for, the page's own included. */
  readonly requests: string[];
  /** From `goto` to the `load` event (ms). */
  readonly loadMs: number;
}

/** Opens an HTML file in a fresh page, recording every request the page makes. */
export async function openFile(
  browser: Browser,
  path: string,
  viewport = { width: 1100, height: 900 },
): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  const started = performance.now();
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  return { page, requests, loadMs: performance.now() - started };
}
