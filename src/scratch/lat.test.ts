import 'openai';
import { it } from 'vitest';
import { openai } from '../providers/index.js';
import { createSimulator } from '../simulator/handler.js';
import { ManualClock, settleOn } from '../test-support/manual-clock.js';
import { Volley } from '../client/volley.js';

const N = Number(process.env.N ?? 1800);
const RPM = Number(process.env.RPM ?? 3000);
const LAT = Number(process.env.LAT ?? 4000);
const TPM = process.env.TPM === undefined ? 10_000_000 : process.env.TPM === 'none' ? undefined : Number(process.env.TPM);
it('lat', async () => {
  const clock = new ManualClock();
  const simulator = createSimulator({ models: [], clock, rpm: RPM, tpm: TPM, burstWindowMs: 1000, latencyMedianMs: LAT, latencySpread: 0.2, outputTokens: 20, seed: 7 });
  const volley = new Volley({
    provider: openai({ baseURL: 'http://simulator/v1', apiKey: 'k', env: {}, fetch: simulator.fetch }),
    model: 'm', clock, random: () => 0.5,
  });
  let first429 = -1;
  const starts: number[] = [];
  volley.on('started', (e) => starts.push(e.at));
  volley.on('rate-limited', (e) => { if (first429 < 0) first429 = e.at; });
  const reqs = Array.from({ length: N }, (_, i) => ({ prompt: `Tell me about item ${i}.` }));
  const r = await settleOn(clock, volley.settle(reqs), { stepMs: 5 });
  const st = simulator.stats();
  const burst = RPM / 60; const ideal = LAT + (N - burst) / (RPM / 60000);
  const ends = r.map((x) => (x.ok ? x.value.timings.finishedAt : 0));
  console.log('makespan', Math.max(...ends), 'ideal', ideal, 'ratio', (ideal / Math.max(...ends)).toFixed(3), '429s', st.rateLimited, 'req', st.requests, 'first429', first429, 'lane', JSON.stringify(volley.lanes()[0]));
  // starts per second
  const per: number[] = [];
  for (const s of starts) per[Math.floor(s / 1000)] = (per[Math.floor(s / 1000)] ?? 0) + 1;
  console.log('starts/s', per.join(' '));
  const lastStart = Math.max(...starts); console.log('last start', lastStart, 'ideal last start', ideal - LAT);
}, 600000);
