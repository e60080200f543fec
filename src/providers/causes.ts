/**
 * What a failure's `cause` chain tells the user, and what of it may be kept: the network failure
 * behind a connection error, in words, and a `cause` safe to attach to a `VolleyError`.
 */
import { quote, redactSecrets } from './shared.js';

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNRESET: 'the connection was reset',
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name did not resolve',
  EAI_AGAIN: 'the host name did not resolve',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the server closed the connection',
};

/** The errors along a `cause` chain, outermost first; real chains are two or three deep. */
function chain(error: unknown): unknown[] {
  const links: unknown[] = [];
  for (let link = error; link != null && links.length < 6; link = (link as { cause?: unknown }).cause) {
    links.push(link);
    if (typeof link !== 'object') break;
  }
  return links;
}

/**
 * Why a connection failed, in words: a known system error code found along the chain, else the
 * innermost message (redacted and shortened), else a plain phrase.
 */
export function describeFailure(error: unknown, secrets: readonly string[]): string {
  const links = chain(error) as { code?: unknown; message?: unknown }[];
  const code = links.map((link) => link.code).find((value): value is string => typeof value === 'string');
  const known = code === undefined ? undefined : NETWORK_CODES[code];
  if (known !== undefined) return `${known} (${code})`;
  const detail = links
    .map((link) => (typeof link === 'string' ? link : link.message))
    .findLast((text) => typeof text === 'string' && text !== '');
  return typeof detail === 'string' ? quote(detail, secrets, 160) : 'the connection failed';
}

/**
 * The error to keep as `cause`: the original when nothing along its chain (messages, response
 * bodies) looks like a credential, else a plain `Error` with the redacted message and the
 * original's name (SDK 401 messages quote a partly masked key).
 */
export function safeCause(cause: unknown, secrets: readonly string[]): unknown {
  if (!(cause instanceof Error)) return cause;
  const clean = (text: string) => redactSecrets(text, secrets) === text;
  // An SDK status error carries the response body as `error`: parsed JSON, so it stringifies.
  const body = (link: Error) => JSON.stringify((link as { error?: unknown }).error) ?? '';
  const links = chain(cause).filter((link): link is Error => link instanceof Error);
  if (links.every((link) => clean(link.message) && clean(body(link)))) return cause;
  const copy = new Error(redactSecrets(cause.message, secrets));
  // The `openai` SDK leaves `name` at 'Error'; its class names the failure better.
  copy.name = cause.name === 'Error' ? cause.constructor.name : cause.name;
  return copy;
}
