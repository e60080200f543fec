/**
 * Anthropic reports its rate limits in `anthropic-ratelimit-*` headers; the lane reads OpenAI's
 * `x-ratelimit-*` ones through the wire leaf (`src/wire`), which reads Anthropic's RFC 3339 resets
 * too. Adding the OpenAI names lets the lane learn Anthropic's limits without knowing Anthropic.
 */

const FIELDS = ['limit', 'remaining', 'reset'] as const;

/** One Anthropic limit family (`requests`, `tokens`, `input-tokens`, `output-tokens`) as sent. */
type Family = Partial<Record<(typeof FIELDS)[number], string>>;

/**
 * A copy of `headers` with `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` added as they
 * were written. Tokens come from the `tokens` family, which Anthropic defines as the most
 * restrictive token limit in effect; without it, from whichever of `input-tokens` and
 * `output-tokens` has the smaller share left. Headers the server already sent (an
 * OpenAI-compatible proxy, say) are kept; `headers` comes back as it is when nothing is added.
 */
export function translateRateLimitHeaders(headers: Headers): Headers {
  const requests = family(headers, 'requests');
  const tokens =
    family(headers, 'tokens') ?? tighter(family(headers, 'input-tokens'), family(headers, 'output-tokens'));
  if (requests === undefined && tokens === undefined) return headers;
  const out = new Headers(headers);
  for (const field of FIELDS) {
    for (const [kind, found] of [
      ['requests', requests],
      ['tokens', tokens],
    ] as const) {
      const name = `x-ratelimit-${field}-${kind}`;
      if (found?.[field] !== undefined && !out.has(name)) out.set(name, found[field]);
    }
  }
  return out;
}

function family(headers: Headers, name: string): Family | undefined {
  const entries = FIELDS.map((field) => [field, headers.get(`anthropic-ratelimit-${name}-${field}`)?.trim()]);
  const found = entries.filter(([, value]) => value);
  return found.length === 0 ? undefined : Object.fromEntries(found);
}

/** The family closer to running out; one without both figures counts as the looser. */
function tighter(a: Family | undefined, b: Family | undefined): Family | undefined {
  const share = (f: Family | undefined) => (f ? Number(f.remaining) / Number(f.limit) : Number.NaN);
  const [left, right] = [share(a), share(b)];
  if (!Number.isFinite(right)) return a ?? b;
  return !Number.isFinite(left) || right < left ? b : a;
}
