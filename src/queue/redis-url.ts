/** The `--queue` URL: checked once, and shown to people without its password. */
import { OptionError } from '../options/check.js';
import { DEFAULT_QUEUE_NAME } from './protocol.js';

export interface RedisTarget {
  /** As given, password included: only for the connection. */
  readonly url: string;
  /** For messages and logs: the URL with its password hidden. */
  readonly shown: string;
  /** The BullMQ queue: `?queue=NAME` on the URL, else the one every run and worker shares. */
  readonly queueName: string;
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
  const queueName = parsed.searchParams.get('queue') || DEFAULT_QUEUE_NAME;
  if (queueName.includes(':'))
    throw new OptionError(`${flag}: a queue name may not hold ':', got '${queueName}'.`);
  parsed.searchParams.delete('queue');
  const connect = parsed.toString();
  if (parsed.password) parsed.password = '***';
  return { url: connect, shown: parsed.toString().replace(/\/$/, ''), queueName };
}

/** A string that did not parse as a URL may still hold `user:password@`: hide what looks like it. */
function hide(text: string): string {
  return text.replace(/(\/\/[^/@:]*:)[^/@]*@/, '$1***@');
}
