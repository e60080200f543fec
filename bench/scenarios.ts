/**
 * The benchmark's scenarios: one simulator configuration each, the work every contender is given,
 * and the ideal makespan that configuration allows (the ceiling the throughput ratio is taken
 * against). Everything here is deterministic: the same mode gives the same prompts and limits.
 */
import { pickFault } from '../src/simulator/faults.js';
import { createSimulator } from '../src/simulator/handler.js';
import { FAULT_KINDS, type FaultKind } from '../src/simulator/options.js';
import { lognormal, mulberry32 } from '../src/simulator/rng.js';

export type ScenarioName = 'requests' | 'tokens' | 'latency' | 'faults' | 'article';

export interface SimConfig {
  readonly rpm?: number;
  readonly tpm?: number;
  readonly burstWindowMs: number;
  readonly latencyMedianMs: number;
  readonly latencySpread: number;
  readonly outputTokens: number;
  readonly seed: number;
  readonly faults?: {
    readonly serverError?: number;
    readonly unavailable?: number;
    readonly reset?: number;
    readonly hang?: number;
  };
}

export interface Scenario {
  readonly name: ScenarioName;
  readonly title: string;
  readonly sim: SimConfig;
  /** Flat prompts, or (for the article chain) one topic per item. */
  readonly prompts: readonly string[];
  /** Present for the article chain: sections per article (outline → sections at once → intro). */
  readonly article?: { readonly sections: number };
  /** Per-attempt timeout handed to every contender that has one; undefined keeps their defaults. */
  readonly timeoutMs?: number;
}

export const MODEL = 'gpt-4o-mini';

/** Lognormal sigma of every scenario's latency: real answers do not all take the same time. */
const SPREAD = 0.2;

export function scenarios(quick: boolean): Scenario[] {
  const q = <T>(short: T, long: T) => (quick ? short : long);
  return [
    {
      name: 'requests',
      title: 'requests-bound: 600 rpm, 400 ms',
      sim: base({ rpm: 600, latencyMedianMs: 400 }),
      prompts: shortPrompts(q(80, 400)),
    },
    {
      name: 'tokens',
      title: 'tokens-bound: 240k tpm, prompts of 30 to 3,000 tokens',
      sim: base({ rpm: 3000, tpm: 240_000, latencyMedianMs: 400 }),
      prompts: sizedPrompts(q(50, 240), 30, 3000),
    },
    {
      name: 'latency',
      title: 'latency-bound: 4 s latency, 3,000 rpm',
      sim: base({ rpm: 3000, tpm: 10_000_000, latencyMedianMs: 4000 }),
      prompts: shortPrompts(q(300, 1800)),
    },
    {
      name: 'faults',
      title: 'fault mix: 600 rpm, 10% 5xx, 2% resets, 1% hangs',
      sim: base({
        rpm: 600,
        latencyMedianMs: 400,
        faults: { serverError: 0.05, unavailable: 0.05, reset: 0.02, hang: 0.01 },
      }),
      prompts: shortPrompts(q(70, 320)),
      timeoutMs: 5000,
    },
    {
      name: 'article',
      title: 'article chain: outline → 8 sections at once → intro, 600 rpm',
      sim: base({ rpm: 600, latencyMedianMs: 400 }),
      prompts: topics(q(8, 40)),
      article: { sections: 8 },
    },
  ];
}

function base(over: Partial<SimConfig> & { latencyMedianMs: number }): SimConfig {
  return { burstWindowMs: 1000, latencySpread: SPREAD, outputTokens: 20, seed: 7, ...over };
}

/**
 * The hard cap on one run: twice the ideal makespan plus 4 s in quick mode (a contender below about
 * half the ceiling is stopped and reported from its partial counts), 2.5 times plus 10 s in the
 * full one.
 */
export function capFor(idealMs: number, quick: boolean): number {
  return Math.round(quick ? 2 * idealMs + 4000 : 2.5 * idealMs + 10_000);
}

function shortPrompts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `Say something about item ${i}.`);
}

const WORDS = (
  'the river city market north winter garden school letter paper table window music story ' +
  'light water stone field train road house money night green small early open long'
).split(' ');

/** Prompts whose sizes are spread log-uniformly from `min` to `max` tokens (roughly), in random order. */
function sizedPrompts(n: number, min: number, max: number): string[] {
  const random = mulberry32(42);
  return Array.from({ length: n }, (_, i) => {
    const target = Math.round(min * (max / min) ** random());
    const words: string[] = [];
    for (let w = 0; w < target; w++) words.push(WORDS[Math.floor(random() * WORDS.length)]!);
    return `Summarise note ${i} in one sentence: ${words.join(' ')}`;
  });
}

function topics(n: number): string[] {
  const subjects = ['tides', 'bridges', 'bees', 'glass', 'maps', 'salt', 'clocks', 'rivers', 'paper', 'wind'];
  return Array.from({ length: n }, (_, i) => `${subjects[i % subjects.length]} (volume ${i + 1})`);
}

export interface Ideal {
  /** Admitted calls needed for every item to succeed once (with the seeded faults). */
  readonly calls: number;
  /** Steady pace the limits allow, calls per second (the tightest of requests and tokens). */
  readonly callsPerSecond: number;
  /** Which limit sets that pace; `latency` when neither limits anything. */
  readonly bound: 'requests' | 'tokens' | 'latency';
  /** Calls the full buckets admit at once at the start. */
  readonly burstCalls: number;
  /** Mean tokens the simulator charges per call (prompt + answer). */
  readonly tokensPerCall: number;
  /** Round trips one item needs one after another (1, or 3 for the article chain). */
  readonly rounds: number;
  /** Shortest makespan for all items: what a client that knew everything could reach. */
  readonly makespanMs: number;
  /** Items per second at that makespan: the ceiling of the throughput ratio. */
  readonly itemsPerSecond: number;
}

/**
 * The ceiling from the configuration alone.
 * - requests: `rpm / 60` calls per second;
 * - tokens: `tpm / 60 / t`, where t is the mean the simulator charges per call (prompt plus answer;
 *   `chargedTokens` asks a zero-latency copy of the simulator, so it is exact);
 * - faults: every fault burns an admitted request. The simulator draws faults from its seeded stream
 *   in the order requests are admitted, so every contender meets the same sequence; `faultedCalls`
 *   replays it to count the admitted calls needed for every item to succeed once;
 * - concurrency: the simulator caps nothing, so a client may have every call in flight at once; the
 *   only bound latency sets is the chain of round trips one item needs (`rounds × L`).
 * The ideal client spends the buckets' initial burst at once, then keeps pace with the refill, and
 * its last call ends one latency after it is sent:
 * `makespan = max(rounds × L, L + max(0, calls − burst) / pace)`; the ceiling is `items / makespan`.
 */
export function ideal(s: Scenario, tokensPerCall: number): Ideal {
  const { sim } = s;
  const sections = s.article?.sections;
  const perItem = sections === undefined ? 1 : sections + 2;
  const rounds = sections === undefined ? 1 : 3;
  const calls = faultedCalls(sim, s.prompts.length * perItem);
  const byRequests = sim.rpm === undefined ? Number.POSITIVE_INFINITY : sim.rpm / 60;
  const byTokens = sim.tpm === undefined ? Number.POSITIVE_INFINITY : sim.tpm / 60 / tokensPerCall;
  const callsPerSecond = Math.min(byRequests, byTokens);
  const bound = !Number.isFinite(callsPerSecond) ? 'latency' : byRequests <= byTokens ? 'requests' : 'tokens';
  const burstCalls = Math.min(
    sim.rpm === undefined ? Number.POSITIVE_INFINITY : (sim.rpm * sim.burstWindowMs) / 60_000,
    sim.tpm === undefined ? Number.POSITIVE_INFINITY : (sim.tpm * sim.burstWindowMs) / 60_000 / tokensPerCall,
  );
  const L = sim.latencyMedianMs;
  const paced = Number.isFinite(callsPerSecond)
    ? (Math.max(0, calls - burstCalls) / callsPerSecond) * 1000
    : 0;
  const makespanMs = Math.max(rounds * L, L + paced);
  return {
    calls,
    callsPerSecond,
    bound,
    burstCalls,
    tokensPerCall,
    rounds,
    makespanMs,
    itemsPerSecond: (s.prompts.length / makespanMs) * 1000,
  };
}

/**
 * Admitted calls until `successes` of them were answered, replaying the simulator's seeded stream:
 * for each admitted request it draws the fault, then the latency (`deliver.ts`), and nothing else.
 */
function faultedCalls(sim: SimConfig, successes: number): number {
  if (!sim.faults) return successes;
  const rates = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  Object.assign(rates, sim.faults);
  const random = mulberry32(sim.seed);
  let calls = 0;
  for (let ok = 0; ok < successes; calls++) {
    if (pickFault(random, rates) === undefined) ok++;
    lognormal(random, sim.latencyMedianMs, sim.latencySpread);
  }
  return calls;
}

/**
 * Mean tokens the scenario's simulator charges per call of a flat scenario: every prompt is sent
 * once to a zero-latency, unlimited copy with the same seed, and its `usage.total_tokens` read (the
 * answer, and so its length, is a function of the seed and the prompt). The article chain is
 * requests-bound; its charge is reported from its first calls only as an indication.
 */
export async function chargedTokens(s: Scenario): Promise<number> {
  const sim = createSimulator({
    seed: s.sim.seed,
    outputTokens: s.sim.outputTokens,
    latencyMedianMs: 0,
    models: [],
  });
  const prompts = s.article ? s.prompts.map((topic) => outlinePrompt(topic, s.article!.sections)) : s.prompts;
  let total = 0;
  for (const prompt of prompts) {
    const response = await sim.fetch('http://reference/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: prompt }] }),
    });
    const body = (await response.json()) as { usage: { total_tokens: number } };
    total += body.usage.total_tokens;
  }
  return total / prompts.length;
}

/** The three prompts of the article chain, shared by every contender. */
export function outlinePrompt(topic: string, sections: number): string {
  return `List ${sections} section titles for an article about ${topic}.`;
}

export function sectionPrompt(topic: string, title: string): string {
  return `Write the section "${title}" of an article about ${topic}.`;
}

export function introPrompt(topic: string, sections: readonly string[]): string {
  return `Write the introduction of an article about ${topic}, whose sections read:\n\n${sections.join('\n\n')}`;
}

/** The titles of a numbered or bulleted list answer, one per line. */
export function listItems(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/^\s*(?:\d+[.)]|[-*•])\s*/, '').trim())
    .filter((line) => line !== '');
}
