/**
 * Measurements for the run report (a script, not a test):
 *
 *   npx tsx src/report/test-support/measure.ts [calls=100000] [--report]
 *
 * (`--report`: only the second part.)
 * 1. Recorder overhead: the CPU time the recorder adds per call, fed `calls` calls' events
 *    (queued, started, finished) directly; then `calls` zero-latency calls end to end (the echo
 *    provider, so the scheduler is all there is besides the recorder) with and without it,
 *    alternated three times. The machine's load makes the end-to-end figures noisy.
 * 2. A synthetic run record of `calls` calls (20 minutes at 5,000 rpm, 2% 429s, 0.5% failures):
 *    building its report, and opening the page in headless Chromium.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Emitter } from '../../client/emitter.js';
import { resolveOptions } from '../../client/options.js';
import type { VolleyEvents } from '../../client/types.js';
import { Volley } from '../../client/volley.js';
import { systemClock } from '../../clock.js';
import { echoProvider } from '../../test-support/echo-provider.js';
import { buildReport } from '../index.js';
import type { RunRecord } from '../record-format.js';
import { type RecordableClient, recordRun } from '../recorder.js';
import { chromiumAvailable, launchChromium, openFile } from './chromium.js';

const args = process.argv.slice(2);
const calls = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
const reportOnly = args.includes('--report');
const dir = await mkdtemp(join(tmpdir(), 'volley-measure-'));

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The events of `calls` calls straight into an emitter, with or without a recorder listening. */
async function eventsOnly(record: boolean): Promise<number> {
  const events = new Emitter<VolleyEvents>();
  const client: RecordableClient = {
    on: (name, listener) => events.on(name, listener),
    lanes: () => [],
    options: resolveOptions({ provider: echoProvider() }),
  };
  const recorder = record ? await recordRun(client, { path: join(dir, 'events.run.jsonl') }) : undefined;
  const usage = { promptTokens: 120, completionTokens: 40, totalTokens: 160 };
  const [lane, model] = ['openai:https://api.openai.com/v1#1a2b3c4d|gpt-4o-mini', 'gpt-4o-mini'];
  const since = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const at = systemClock.now();
    const id = `call-${i}`;
    events.emit('queued', { id, lane, model, at, estimatedTokens: 376, priority: 0 });
    events.emit('started', { id, lane, model, at, attempt: 1, waitedMs: 2 });
    const timings = {
      enqueuedAt: at,
      startedAt: at,
      finishedAt: at,
      queuedMs: 2,
      attempts: 1,
      latencyMs: 812,
    };
    const result = {
      id,
      text: '',
      usage,
      finishReason: 'stop',
      model,
      requestID: undefined,
      raw: undefined,
      timings,
    };
    events.emit('finished', { id, lane, model, at, result });
    // Let the appends run as they would between answers.
    if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  await recorder?.close();
  return cpuMs(since);
}

async function oneRun(record: boolean): Promise<{ ms: number; closeMs: number; cpu: number; bytes: number }> {
  const volley = new Volley({ provider: echoProvider(), model: 'echo', limits: { concurrency: 512 } });
  const path = join(dir, 'overhead.run.jsonl');
  const recorder = record ? await recordRun(volley, { path, meta: { command: 'measure' } }) : undefined;
  const prompts = Array.from({ length: calls }, (_, i) => ({ prompt: `item ${i}` }));
  const since = process.cpuUsage();
  const started = performance.now();
  const results = await volley.settle(prompts);
  const ms = performance.now() - started;
  await recorder?.close();
  const closeMs = performance.now() - started - ms;
  const cpu = cpuMs(since);
  if (results.some((r) => !r.ok)) throw new Error('a call failed');
  return { ms, closeMs, cpu, bytes: record ? (await stat(path)).size : 0 };
}

if (!reportOnly) await recorderCost();

async function recorderCost(): Promise<void> {
  console.log(`Recorder cost, ${calls.toLocaleString('en-US')} calls:`);
  const bare: number[] = [];
  const listened: number[] = [];
  for (let round = 0; round < 3; round++) {
    bare.push(await eventsOnly(false));
    listened.push(await eventsOnly(true));
  }
  const perCall = ((median(listened) - median(bare)) * 1000) / calls;
  console.log(
    `  events only (queued, started, finished per call): ${median(bare).toFixed(0)} ms CPU without, ` +
      `${median(listened).toFixed(0)} ms with the recorder: ${perCall.toFixed(1)} µs of CPU per call`,
  );
  type Run = { ms: number; closeMs: number; cpu: number };
  const plain: Run[] = [];
  const recorded: Run[] = [];
  let bytes = 0;
  await oneRun(false); // warm-up
  for (let round = 0; round < 3; round++) {
    plain.push(await oneRun(false));
    const r = await oneRun(true);
    recorded.push(r);
    bytes = r.bytes;
  }
  const show = (runs: Run[]) =>
    `${runs.map((r) => `${r.ms.toFixed(0)}`).join(', ')} ms wall (median ${median(runs.map((r) => r.ms)).toFixed(0)}), ` +
    `median ${median(runs.map((r) => r.cpu)).toFixed(0)} ms CPU with close`;
  console.log('  end to end, zero-latency echo provider, concurrency 512:');
  console.log(`    without recorder: ${show(plain)}`);
  console.log(
    `    with recorder:    ${show(recorded)}; close() ${median(recorded.map((r) => r.closeMs)).toFixed(0)} ms; ` +
      `record ${(bytes / 1e6).toFixed(1)} MB`,
  );
}

// A synthetic record: a 20-minute batch at 5,000 rpm with 429s, retries and failures.
const recordPath = join(dir, 'synthetic.run.jsonl');
await synthesize(recordPath, calls);
console.log(
  `\nSynthetic record: ${calls.toLocaleString('en-US')} calls, ${((await stat(recordPath)).size / 1e6).toFixed(1)} MB`,
);
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
const started = performance.now();
const cpuBefore = process.cpuUsage();
const { html, model } = await buildReport(recordPath);
const buildMs = performance.now() - started;
const buildCpuMs = cpuMs(cpuBefore);
const htmlPath = join(dir, 'synthetic.html');
await writeFile(htmlPath, html);
console.log(
  `  volley report: ${buildMs.toFixed(0)} ms (${buildCpuMs.toFixed(0)} ms CPU) to read, aggregate and render; ` +
    `page ${(html.length / 1024).toFixed(0)} KB, ${model.timeline.shown.toLocaleString('en-US')} timeline rows; ${load()}`,
);
if (chromiumAvailable()) {
  const browser = await launchChromium();
  try {
    // A one-line page first: on a loaded machine, Chromium's own cost is most of the figure.
    const blankPath = join(dir, 'blank.html');
    await writeFile(blankPath, '<!doctype html><p>blank</p>');
    const opened = async (path: string) => {
      const at = performance.now();
      const { page, loadMs, requests } = await openFile(browser, path);
      await page.evaluate(
        'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))',
      );
      const paintedMs = performance.now() - at;
      const fcp = Number(
        await page.evaluate(
          "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN",
        ),
      );
      return { page, loadMs, requests, paintedMs, fcp };
    };
    const show = (r: { loadMs: number; paintedMs: number; fcp: number }) =>
      `load event after ${r.loadMs.toFixed(0)} ms, first contentful paint ${r.fcp.toFixed(0)} ms, ` +
      `painted after ${r.paintedMs.toFixed(0)} ms`;
    const blank = await opened(blankPath);
    await blank.page.close();
    const report = await opened(htmlPath);
    const shot = join(dir, 'synthetic.png');
    await report.page.screenshot({ path: shot, fullPage: true });
    console.log(`  Chromium, a blank page: ${show(blank)}`);
    console.log(
      `  Chromium, the report: ${show(report)}; ${report.requests.length} request(s): ` +
        `${report.requests.join(' ')}; ${load()}`,
    );
    console.log(`  screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
} else {
  console.log('  Chromium not found at /usr/bin/chromium: page load not measured.');
}
console.log(`\nFiles kept in ${dir}`);
if (process.env['VOLLEY_MEASURE_CLEAN']) await rm(dir, { recursive: true, force: true });

/** Writes a plausible record of `n` calls: started at the rpm limit, queued 4,096 ahead (`volley run`'s window). */
async function synthesize(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  const lines: string[] = [];
  const emit = (record: RunRecord) => {
    lines.push(JSON.stringify(record));
    if (lines.length >= 10_000) out.write(`${lines.splice(0).join('\n')}\n`);
  };
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const rpm = 5000;
  const gap = 60_000 / rpm;
  const events: Array<{ t: number; r: RunRecord }> = [];
  const ends: number[] = [];
  let slot = 0;
  for (let i = 0; i < n; i++) {
    const id = `line-${i + 1}`;
    const queuedAt = i < 4096 ? 0 : ends[i - 4096]!;
    events.push({ t: queuedAt, r: { e: 'q', i: id, l: 0, t: queuedAt, n: 700 } });
    let attempts = 0;
    let at = Math.max(queuedAt, slot * gap);
    let queued = 0;
    let waitFrom = queuedAt;
    for (;;) {
      attempts++;
      at = Math.max(at, slot++ * gap);
      queued += at - waitFrom;
      events.push({ t: at, r: { e: 's', i: id, l: 0, t: Math.round(at), a: attempts } });
      const latency = 400 + 800 * -Math.log(1 - random() * 0.999);
      const roll = random();
      const end = at + latency;
      if (roll < 0.02 && attempts < 4) {
        const pause = 1000 + random() * 1000;
        events.push({
          t: at + 50,
          r: { e: 'r', i: id, l: 0, t: Math.round(at + 50), ms: Math.round(pause), st: 429 },
        });
        events.push({
          t: at + 50,
          r: {
            e: 'y',
            i: id,
            l: 0,
            t: Math.round(at + 50),
            a: attempts,
            ms: Math.round(pause),
            c: 'rate_limited',
            st: 429,
          },
        });
        waitFrom = at + 50 + pause;
        at = waitFrom;
        continue;
      }
      if (roll > 0.995) {
        events.push({
          t: end,
          r: {
            e: 'x',
            i: id,
            l: 0,
            t: Math.round(end),
            a: attempts,
            qd: Math.round(queued),
            lat: Math.round(latency),
            c: 'server_error',
            st: 500,
            msg: 'The server had an error while processing your request.',
          },
        });
      } else {
        events.push({
          t: end,
          r: {
            e: 'f',
            i: id,
            l: 0,
            t: Math.round(end),
            a: attempts,
            lat: Math.round(latency),
            qd: Math.round(queued),
            in: 200 + Math.floor(random() * 600),
            out: 50 + Math.floor(random() * 250),
            fr: 'stop',
          },
        });
      }
      ends.push(end);
      break;
    }
  }
  events.sort((a, b) => a.t - b.t);
  const last = events[events.length - 1]!.t;
  emit({
    e: 'run',
    v: 1,
    at: Date.now(),
    wall: new Date().toISOString(),
    meta: {
      command: `volley run synthetic.jsonl --out synthetic.out.jsonl (${n} lines)`,
      model: 'gpt-4o-mini',
      total: n,
    },
    limits: { maxConcurrency: 512, maxAttempts: 6, timeoutMs: 60_000 },
  });
  emit({
    e: 'lane',
    l: 0,
    k: 'openai:https://api.openai.com/v1#1a2b3c4d|gpt-4o-mini',
    m: 'gpt-4o-mini',
    p: 'openai',
    u: 'https://api.openai.com/v1',
  });
  let nextSnapshot = 0;
  for (const { t, r } of events) {
    while (nextSnapshot <= t) {
      emit({
        e: 'ls',
        t: nextSnapshot,
        l: 0,
        rpm: 4900,
        tpm: 4_000_000,
        f: 60,
        q: 4000,
        c: 64,
        w: 'requests',
      });
      nextSnapshot += 1000;
    }
    emit(r);
  }
  emit({ e: 'end', t: Math.round(last), wall: new Date().toISOString() });
  out.write(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}
