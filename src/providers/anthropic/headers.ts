/**
 * Anthropic reports its rate limits in `anthropic-ratelimit-*` headers; the lane reads OpenAI's
 * `x-ratelimit-*` ones through the wire leaf (`src/wire`), which reads Anthropic's RFC 3339
 * resets too. This adds the OpenAI names to a copy of the headers, so that the lane learns
 * Anthropic's limits without knowing about Anthropic.
 */

const PREFIX = 'anthropic-ratelimit-';
const FIELDS = ['limit', 'remaining', 'reset'] as const;

/** One Anthropic limit family (`requests`, `tokens`, `input-tokens`, `output-tokens`) as sent. */
type Family = Partial<Record<(typeof FIELDS)[number], string>>;

/**
 * `headers` with `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` added from the
 * `anthropic-ratelimit-*` ones, as they were written. The token figures come from the `tokens`
 * family, which Anthropic defines as the most restrictive token limit in effect; without it, from
 * whichever of `input-tokens` and `output-tokens` has the smaller share left. Headers the server
 * already sent (an OpenAI-compatible proxy, say) are kept; `headers` itself is not changed, and
 * comes back as it is when there is nothing to add.
 */
export function translateRateLimitHeaders(headers: Headers): Headers {
  const requests = family(headers, 'requests');
  const tokens =
    family(headers, 'tokens') ?? tighter(family(headers, 'input-tokens'), family(headers, 'output-tokens'));
  if (requests === undefined && tokens === undefined) return headers;
  const out = new Headers(headers);
  for (const [kind, found] of [
    ['requests', requests],
    ['tokens', tokens],
  ] as const) {
    for (const field of FIELDS) {
      const value = found?.[field];
      const name = `x-ratelimit-${field}-${kind}`;
      if (value !== undefined && !out.has(name)) out.set(name, value);
    }
  }
  return out;
}

function family(headers: Headers, name: string): Family | undefined {
  let found: Family | undefined;
  for (const field of FIELDS) {
    const value = headers.get(`${PREFIX}${name}-${field}`)?.trim();
    if (value) found = { ...found, [field]: value };
  }
  return found;
}

/** The family closer to running out; one without both figures counts as the looser. */
function tighter(a: Family | undefined, b: Family | undefined): Family | undefined {
  const left = a && share(a);
  const right = b && share(b);
  if (right === undefined) return a ?? b;
  return left === undefined || right < left ? b : a;
}

function share({ limit, remaining }: Family): number | undefined {
  const value = Number(remaining) / Number(limit);
  return Number.isFinite(value) ? value : undefined;
}
