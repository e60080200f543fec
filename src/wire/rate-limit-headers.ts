/**
 * The `x-ratelimit-*` headers OpenAI-compatible servers send with every answer and every 429: the
 * per-minute limits, what remains of them, and the time until each is fully restored. Any of them
 * may be missing (Azure sends `remaining` without `limit`); a garbled one is left out.
 */
import { parseDuration } from './duration.js';

export interface RateLimitHeaders {
  readonly limitRequests?: number;
  readonly limitTokens?: number;
  readonly remainingRequests?: number;
  readonly remainingTokens?: number;
  /** Time until the request budget is fully restored (ms). */
  readonly resetRequestsMs?: number;
  /** Time until the token budget is fully restored (ms). */
  readonly resetTokensMs?: number;
}

const NONE: RateLimitHeaders = Object.freeze({});

/** Reads the headers; `nowEpochMs` places a reset written as a timestamp. */
export function readRateLimitHeaders(headers: Headers, nowEpochMs: number = Date.now()): RateLimitHeaders {
  const limitRequests = count(headers.get('x-ratelimit-limit-requests'));
  const limitTokens = count(headers.get('x-ratelimit-limit-tokens'));
  const remainingRequests = count(headers.get('x-ratelimit-remaining-requests'));
  const remainingTokens = count(headers.get('x-ratelimit-remaining-tokens'));
  if (
    limitRequests === undefined &&
    limitTokens === undefined &&
    remainingRequests === undefined &&
    remainingTokens === undefined
  )
    return NONE; // most answers of an unlimited server: nothing to allocate
  const seen: { -readonly [K in keyof RateLimitHeaders]: number } = {};
  if (limitRequests !== undefined) seen.limitRequests = limitRequests;
  if (limitTokens !== undefined) seen.limitTokens = limitTokens;
  if (remainingRequests !== undefined) seen.remainingRequests = remainingRequests;
  if (remainingTokens !== undefined) seen.remainingTokens = remainingTokens;
  const resetRequestsMs = parseDuration(headers.get('x-ratelimit-reset-requests'), nowEpochMs);
  const resetTokensMs = parseDuration(headers.get('x-ratelimit-reset-tokens'), nowEpochMs);
  if (resetRequestsMs !== undefined) seen.resetRequestsMs = resetRequestsMs;
  if (resetTokensMs !== undefined) seen.resetTokensMs = resetTokensMs;
  return seen;
}

function count(text: string | null): number | undefined {
  if (text === null) return undefined;
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
