/**
 * Where the examples send their calls: OpenAI when OPENAI_API_KEY is set (model from VOLLEY_MODEL,
 * default gpt-4o-mini), otherwise the built-in simulator, served in-process over real HTTP with a
 * fixed latency so that the timings are easy to read.
 */
import { openai, Volley } from 'volley';
import { createSimulator, listen, type SimulatorStats } from 'volley/simulator';

export interface ConnectOptions {
  /** The simulator's latency per call (ms). @default 400 */
  readonly latencyMs?: number;
  /** Extra simulated milliseconds per output token (streams pace out). @default 0 */
  readonly msPerToken?: number;
  /** Requests per minute: the simulator enforces it, and Volley is told it. */
  readonly rpm?: number;
}

export interface Connection {
  readonly volley: Volley;
  readonly where: string;
  /** The simulator's counters; undefined against a real provider. */
  readonly stats: (() => SimulatorStats) | undefined;
  close(): Promise<void>;
}

export async function connect(options: ConnectOptions = {}): Promise<Connection> {
  const model = process.env['VOLLEY_MODEL'] ?? 'gpt-4o-mini';
  const limits = { rpm: options.rpm };
  const apiKey = process.env['OPENAI_API_KEY'];
  if (apiKey) {
    const provider = openai({ apiKey, defaultModel: model });
    return {
      volley: new Volley({ provider, limits }),
      where: `OpenAI (${model})`,
      stats: undefined,
      close: async () => {},
    };
  }
  const latency = options.latencyMs ?? 400;
  const simulator = createSimulator({
    latencyMedianMs: latency,
    latencySpread: 0,
    msPerOutputToken: options.msPerToken ?? 0,
    rpm: options.rpm,
    burstWindowMs: 1000,
  });
  const server = await listen(simulator);
  const provider = openai({ apiKey: 'simulated', baseURL: server.url, defaultModel: model, env: {} });
  const volley = new Volley({ provider, limits });
  // One call first, so that the SDK and the connection are warm before anything is timed.
  await volley.complete({ prompt: 'warm up' });
  simulator.resetStats();
  const rate = options.rpm ? `, ${options.rpm} requests/min` : '';
  const pace = options.msPerToken ? ` + ${options.msPerToken} ms per token` : '';
  return {
    volley,
    where: `the built-in simulator (${seconds(latency)} per call${pace}${rate}; set OPENAI_API_KEY for OpenAI)`,
    stats: () => simulator.stats(),
    close: () => server.close(),
  };
}

/** `3.1 s`, or `420 ms`. */
export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The first `n` characters of a text on one line. */
export function excerpt(text: string, n = 70): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > n ? `${line.slice(0, n - 1)}…` : line;
}
