/**
 * What a failure's `cause` chain tells the user, and what of it may be kept: the network failure
 * behind a connection error, in words, and a `cause` that is safe to attach to a `VolleyError`
 * (nothing along its chain looks like a credential).
 */
import { quote, redactSecrets } from './shared.js';

/** How far down a `cause` chain is looked at; real chains are two or three errors deep. */
const MAX_DEPTH = 6;

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNRESET: 'the connection was reset',
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name did not resolve',
  EAI_AGAIN: 'the host name did not resolve',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the server closed the connection',
};

/**
 * Why a connection failed, for a message: a known system error code (`ECONNRESET`, ...) found
 * along the chain, else the innermost message (redacted and shortened), else a plain phrase.
 */
export function describeFailure(error: unknown, secrets: readonly string[]): string {
  const { code, detail } = inspectChain(error);
  const known = code === undefined ? undefined : NETWORK_CODES[code];
  if (known !== undefined) return `${known} (${code})`;
  if (detail !== undefined) return quote(detail, secrets, 160);
  return 'the connection failed';
}

/** The first string `code` and the innermost non-empty message along an error's `cause` chain. */
function inspectChain(error: unknown): { code: string | undefined; detail: string | undefined } {
  let code: string | undefined;
  let detail: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && current !== undefined && current !== null; depth++) {
    if (typeof current !== 'object') {
      if (typeof current === 'string') detail = current;
      break;
    }
    const link = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === undefined && typeof link.code === 'string') code = link.code;
    if (typeof link.message === 'string' && link.message !== '') detail = link.message;
    current = link.cause;
  }
  return { code, detail };
}

/**
 * The error to keep as `cause`: the original when no message or response body along its `cause`
 * chain looks like a credential, otherwise a plain `Error` carrying the redacted message and the
 * original's name (SDK 401 messages quote a partly masked key).
 */
export function safeCause(cause: unknown, secrets: readonly string[]): unknown {
  if (!(cause instanceof Error)) return cause;
  let current: unknown = cause;
  for (let depth = 0; depth < MAX_DEPTH && current instanceof Error; depth++) {
    if (!isClean(current.message, secrets) || !isClean(bodyText(current), secrets)) {
      const copy = new Error(redactSecrets(cause.message, secrets));
      // The `openai` SDK leaves `name` at 'Error'; its class names the failure better.
      copy.name = cause.name === 'Error' ? cause.constructor.name : cause.name;
      return copy;
    }
    current = current.cause;
  }
  return cause;
}

function isClean(value: string, secrets: readonly string[]): boolean {
  return redactSecrets(value, secrets) === value;
}

/** The response body an SDK status error carries (`error.error`), as JSON; '' when none. */
function bodyText(error: Error): string {
  const body = (error as { error?: unknown }).error;
  if (body === undefined) return '';
  try {
    return JSON.stringify(body) ?? '';
  } catch {
    return '';
  }
}
