/**
 * Every contender, in the order the table lists them. Each is loaded only when it runs, so that a
 * child process pays for one library's import (LangChain's takes seconds), not for all of them.
 */
import type { Contender } from './types.js';

export interface ContenderEntry {
  readonly id: string;
  readonly label: string;
  readonly load: () => Promise<Contender>;
}

export const CONTENDERS: readonly ContenderEntry[] = [
  {
    id: 'seed',
    label: 'seed pattern (semaphore 10, sleep on 429)',
    load: async () => (await import('./seed.js')).seed,
  },
  {
    id: 'p-limit',
    label: 'p-limit 50 + openai SDK',
    load: async () => (await import('./p-limit.js')).pLimitContender,
  },
  {
    id: 'bottleneck',
    label: 'Bottleneck (minTime, maxConcurrent)',
    load: async () => (await import('./bottleneck.js')).bottleneck,
  },
  {
    id: 'p-queue',
    label: 'p-queue (interval, intervalCap)',
    load: async () => (await import('./p-queue.js')).pQueue,
  },
  {
    id: 'langchain',
    label: 'LangChain ChatOpenAI.batch',
    load: async () => (await import('./langchain.js')).langchain,
  },
  {
    id: 'volley',
    label: 'Volley, no limits configured',
    load: async () => (await import('./volley.js')).volley,
  },
  {
    id: 'volley-told',
    label: 'Volley, told the limits',
    load: async () => (await import('./volley.js')).volleyTold,
  },
];

export function findContender(id: string): ContenderEntry {
  const found = CONTENDERS.find((c) => c.id === id);
  if (!found) throw new Error(`Unknown contender "${id}". Known: ${CONTENDERS.map((c) => c.id).join(', ')}.`);
  return found;
}
