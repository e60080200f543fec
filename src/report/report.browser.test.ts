/**
 * The report of a small real run, opened in headless Chromium (Debian's `chromium`): a run against
 * the simulator over HTTP with the recorder attached, with 429s, retries and failures; the page
 * must draw its timeline and charts without fetching anything, and a screenshot is kept.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import { openai } from '../providers/index.js';
import { createSimulator } from '../simulator/handler.js';
import { listen, type SimulatorServer } from '../simulator/listen.js';
import { buildReport } from './index.js';
import { recordRun } from './recorder.js';
import { CHROMIUM_PATH, chromiumAvailable, launchChromium, openFile } from './test-support/chromium.js';

const available = chromiumAvailable();
if (!available) {
  console.warn(
    `Skipping the report's browser test: no Chromium at ${CHROMIUM_PATH}. Install it with ` +
      '`apt-get install -y chromium` (or point VOLLEY_CHROMIUM at a Chromium binary).',
  );
}
const HOSTILE_MODEL = 'gpt-4o-mini"><script>alert(1)</script>';
const CALLS = 48;

let dir: string;
let server: SimulatorServer | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'volley-report-'));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the HTML report in a browser', () => {
  const title = available
    ? 'draws the timeline and charts of a real run, fetches nothing, and is screenshotted'
    : `draws the timeline and charts of a real run (SKIPPED: no Chromium at ${CHROMIUM_PATH}; apt-get install -y chromium)`;
  it.skipIf(!available)(title, async () => {
    // 3,000 rpm with a 200 ms burst at the server, a client told it may send 6,000: expect 429s.
    const simulator = createSimulator({
      models: [],
      rpm: 3000,
      burstWindowMs: 200,
      latencyMedianMs: 40,
      latencySpread: 0.4,
      contextWindow: 100_000,
      faults: { serverError: 0.08 },
      seed: 7,
    });
    server = await listen(simulator);
    const volley = new Volley({
      provider: openai({ baseURL: server.url, apiKey: 'x', env: {} }),
      model: 'gpt-4o-mini',
      limits: { rpm: 6000 },
      retry: { maxAttempts: 3, initialDelay: 20, maxDelay: 200 },
    });
    const path = join(dir, 'browser.run.jsonl');
    const recorder = await recordRun(volley, {
      path,
      meta: { command: 'volley run browser-test.jsonl --out out.jsonl', model: 'gpt-4o-mini', total: CALLS },
      snapshotMs: 100,
    });
    const requests = Array.from({ length: CALLS }, (_, i) => {
      // Two calls too long for the model's context: failed at once, with the server's reason.
      if (i === 10 || i === 30) return { prompt: `Item ${i}`, maxTokens: 1_000_000 };
      if (i % 8 === 5) return { prompt: `Item ${i}`, model: HOSTILE_MODEL };
      return { prompt: `Tell me about item ${i}.` };
    });
    const results = await volley.settle(requests);
    await recorder.close();
    expect(results.filter((r) => !r.ok).length).toBeGreaterThanOrEqual(2);

    const { html, model } = await buildReport(path);
    expect(model.totals.calls).toBe(CALLS);
    expect(model.totals.rateLimited + model.totals.retries).toBeGreaterThan(0);
    const page = join(dir, 'report.html');
    await writeFile(page, html);

    const browser = await launchChromium();
    try {
      const opened = await openFile(browser, page);
      const dialogs: string[] = [];
      opened.page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const count = (selector: string) => opened.page.locator(selector).count();
      // Nothing but the file itself was requested: no fonts, scripts, images or trackers.
      expect(opened.requests).toEqual([pathToFileURL(page).href]);
      expect(await opened.page.title()).toContain('volley run browser-test.jsonl');
      // The timeline: one row per call, with done and failed segments.
      expect(await count('svg.timeline g.row')).toBe(CALLS);
      expect(await opened.page.locator('svg.timeline').getAttribute('data-rows')).toBe(String(CALLS));
      expect(await count('svg.timeline .s-done')).toBe(model.totals.ok);
      expect(await count('svg.timeline .s-failed')).toBeGreaterThanOrEqual(model.totals.failed);
      // The charts: calls by state (bands), rates and tokens (lines), 429s and retries (bars).
      expect(await count('svg.chart')).toBe(4);
      expect(await count('svg.chart path.band')).toBe(4);
      expect(await count('svg.chart path.line')).toBeGreaterThanOrEqual(3);
      expect(await count('svg.chart rect.bar')).toBeGreaterThan(0);
      // They were laid out at a real size.
      const box = await opened.page.locator('svg.timeline').boundingBox();
      expect(box!.width).toBeGreaterThan(900);
      expect(box!.height).toBeGreaterThan(CALLS * 5);
      // Latency, cost and failures are on the page; the hostile model name is text, not a script.
      const text = await opened.page.locator('body').textContent();
      expect(text).toMatch(/p50[\s\S]*p90[\s\S]*p99/);
      expect(text).toContain('context_length_exceeded');
      expect(text).toContain(HOSTILE_MODEL);
      expect(await count('script')).toBe(0);
      expect(dialogs).toEqual([]);

      const shot = join(tmpdir(), `volley-report-${process.pid}.png`);
      await opened.page.screenshot({ path: shot, fullPage: true });
      console.log(`Report screenshot: ${shot} (page load ${opened.loadMs.toFixed(0)} ms)`);
    } finally {
      await browser.close();
    }
  });
});
