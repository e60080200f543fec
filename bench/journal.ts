/**
 * The journal's group commit on this machine's disk. Prints:
 *   - the fdatasync time of one small write (what one group costs at the least);
 *   - for 1k, 5k and 20k appends a second, with ~500-byte and ~5 KB records, the rate reached,
 *     the append → durable latency (p50, p99, max), and the writes per second and records per
 *     write (each group is one write and one fdatasync);
 *   - the most appends a second it can take when nothing waits between them.
 * Appends are issued open-loop at the target rate (a timer tops them up to rate × elapsed), so a
 * slow sync shows as latency and bigger groups, not as a lower offered rate.
 * Run: npx tsx bench/journal.ts [seconds per case, default 3] [directory, default the OS temp dir]
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppendLog } from '../src/journal/append-log.js';
import { type OpenFile, openFile } from '../src/journal/file.js';

const seconds = Number(process.argv[2] ?? 3);
const dir = await mkdtemp(join(process.argv[3] ?? tmpdir(), 'volley-journal-bench-'));

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function fdatasyncMs(): Promise<{ p50: number; p99: number }> {
  const file = await open(join(dir, 'sync-probe'), 'w');
  const times = new Float64Array(500);
  const bytes = Buffer.alloc(500, 120);
  for (let i = 0; i < times.length; i++) {
    await file.write(bytes);
    const started = performance.now();
    await file.datasync();
    times[i] = performance.now() - started;
  }
  await file.close();
  times.sort();
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/** Counts the writes and syncs the log makes. */
function counting(): { open: OpenFile; writes: number; syncs: number } {
  const counts = {
    writes: 0,
    syncs: 0,
    open: (async (path, mode) => {
      const file = await openFile(path, mode);
      return {
        ...file,
        write: (...args: Parameters<typeof file.write>) => {
          counts.writes++;
          return file.write(...args);
        },
        datasync: () => {
          counts.syncs++;
          return file.datasync();
        },
      };
    }) as OpenFile,
  };
  return counts;
}

function record(seq: number, size: number): { custom_id: string; seq: number; text: string } {
  return { custom_id: `item-${seq}`, seq, text: 'x'.repeat(size - 60) };
}

async function paced(rate: number, size: number) {
  const counts = counting();
  const log = await AppendLog.open(join(dir, `paced-${rate}-${size}.jsonl`), { openFile: counts.open });
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  const started = performance.now();
  let issued = 0;
  let done = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      for (; issued < due; issued++) {
        const seq = issued;
        const at = performance.now();
        log.append(record(seq, size)).then(() => {
          latencies[seq] = performance.now() - at;
          if (++done === total) resolve();
        });
      }
      if (issued < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsed = (performance.now() - started) / 1000;
  await log.close();
  latencies.sort();
  return {
    rate,
    recordBytes: size,
    reached: Math.round(total / elapsed),
    p50ms: +quantile(latencies, 0.5).toFixed(2),
    p99ms: +quantile(latencies, 0.99).toFixed(2),
    maxMs: +(latencies[latencies.length - 1] ?? 0).toFixed(2),
    writesPerSecond: Math.round(counts.writes / elapsed),
    recordsPerWrite: +(total / counts.writes).toFixed(1),
    syncsPerWrite: +(counts.syncs / counts.writes).toFixed(2),
  };
}

/** As many appends as the log takes: 200,000 issued at once, in bursts of 1,000 per turn. */
async function flatOut(size: number) {
  const counts = counting();
  const log = await AppendLog.open(join(dir, `flat-${size}.jsonl`), { openFile: counts.open });
  const total = size > 1000 ? 50_000 : 200_000;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let seq = 0; seq < total; seq++) {
    pending.push(log.append(record(seq, size)));
    if (seq % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  await log.close();
  return {
    recordBytes: size,
    appendsPerSecond: Math.round(total / elapsed),
    mbPerSecond: +((total * size) / 1e6 / elapsed).toFixed(0),
    recordsPerWrite: +(total / counts.writes).toFixed(0),
  };
}

const sync = await fdatasyncMs();
console.log(`fdatasync of a 500-byte append: p50 ${sync.p50.toFixed(3)} ms, p99 ${sync.p99.toFixed(3)} ms`);
for (const size of [500, 5000]) {
  for (const rate of [1000, 5000, 20_000]) console.log(JSON.stringify(await paced(rate, size)));
}
for (const size of [500, 5000]) console.log(JSON.stringify({ flatOut: await flatOut(size) }));
await rm(dir, { recursive: true, force: true });
