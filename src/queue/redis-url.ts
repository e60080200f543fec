/** The `--queue` URL: checked once, and shown to people without its password. */
import { OptionError } from '../options/check.js';

export interface RedisTarget {
  /** As given, password included: only for the connection. */
  readonly url: string;
  /** For messages and logs: the URL with its password hidden. */
  readonly shown: string;
}

export function redisTarget(url: string, flag = '--queue'): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OptionError(`${flag} takes a Redis URL such as redis://localhost:6379, got '${hide(url)}'.`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new OptionError(
      `${flag} takes a redis:// or rediss:// URL such as redis://localhost:6379, got '${hide(url)}'.`,
    );
  }
  if (parsed.password) parsed.password = '***';
  return { url, shown: parsed.toString().replace(/\/$/, '') };
}

/** A string that did not parse as a URL may still hold `user:password@`: hide what looks like it. */
function hide(text: string): string {
  return text.replace(/(\/\/[^/@:]*:)[^/@]*@/, '$1***@');
}
