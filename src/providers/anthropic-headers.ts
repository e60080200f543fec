/**
 * Anthropic reports its rate limits in `anthropic-ratelimit-*` headers with RFC 3339 reset times;
 * the scheduler reads OpenAI's `x-ratelimit-*` headers with duration resets (see
 * `src/wire`). This module adds the OpenAI-style equivalents to a copy of the
 * headers, so the scheduler learns Anthropic's limits without knowing about Anthropic.
 */

import { formatDuration } from '../wire/index.js';

const PREFIX = 'anthropic-ratelimit-';

/** One Anthropic limit family (`requests`, `tokens`, `input-tokens`, `output-tokens`) as sent. */
interface Family {
  readonly limit: number | undefined;
  readonly remaining: number | undefined;
  /** Epoch ms at which the family is fully replenished. */
  readonly resetAt: number | undefined;
}

/**
 * A copy of `headers` with `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` added from the
 * `anthropic-ratelimit-*` ones. Resets become durations from `nowMs` (`'1.5s'`, never negative,
 * rounded up to the millisecond). The token figures come from the `tokens` family, which Anthropic
 * defines as the most restrictive token limit in effect; when it is absent, from whichever of
 * `input-tokens` and `output-tokens` has the smaller fraction remaining. Headers the server already
 * sent (an OpenAI-compatible proxy, say) and garbled values are left alone; the input is not
 * changed.
 */
export function translateRateLimitHeaders(headers: Headers, nowMs: number = Date.now()): Headers {
  const out = new Headers(headers);
  const requests = readFamily(headers, 'requests');
  const tokens =
    readFamily(headers, 'tokens') ??
    tighter(readFamily(headers, 'input-tokens'), readFamily(headers, 'output-tokens'));
  for (const [kind, family] of [
    ['requests', requests],
    ['tokens', tokens],
  ] as const) {
    if (family === undefined) continue;
    setIfAbsent(out, `x-ratelimit-limit-${kind}`, family.limit);
    setIfAbsent(out, `x-ratelimit-remaining-${kind}`, family.remaining);
    if (family.resetAt !== undefined && !out.has(`x-ratelimit-reset-${kind}`)) {
      out.set(`x-ratelimit-reset-${kind}`, formatDuration(family.resetAt - nowMs));
    }
  }
  return out;
}

function readFamily(headers: Headers, name: string): Family | undefined {
  const limit = count(headers.get(`${PREFIX}${name}-limit`));
  const remaining = count(headers.get(`${PREFIX}${name}-remaining`));
  const resetAt = instant(headers.get(`${PREFIX}${name}-reset`));
  if (limit === undefined && remaining === undefined && resetAt === undefined) return undefined;
  return { limit, remaining, resetAt };
}

/** The family closer to running out; a family without both figures counts as the looser one. */
function tighter(a: Family | undefined, b: Family | undefined): Family | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const left = fraction(a);
  const right = fraction(b);
  if (right === undefined) return a;
  if (left === undefined) return b;
  return right < left ? b : a;
}

function fraction(family: Family): number | undefined {
  const { limit, remaining } = family;
  return limit === undefined || remaining === undefined || limit === 0 ? undefined : remaining / limit;
}

function count(text: string | null): number | undefined {
  if (text === null || text.trim() === '') return undefined;
  const value = Number(text.trim());
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

function instant(text: string | null): number | undefined {
  if (text === null || text.trim() === '') return undefined;
  const value = Date.parse(text.trim());
  return Number.isFinite(value) ? value : undefined;
}

function setIfAbsent(headers: Headers, name: string, value: number | undefined): void {
  if (value !== undefined && !headers.has(name)) headers.set(name, String(value));
}
