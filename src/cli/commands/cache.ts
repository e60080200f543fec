/** `volley cache clear DIR [--older-than 7d]`: empties a response cache made with `--cache DIR`. */
import { resolve } from 'node:path';
import { clearCache } from '../../cache/clear.js';
import { VolleyError } from '../../errors.js';
import { formatCount } from '../../format/index.js';
import { durationFlag, parseFlags, UsageError } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from '../io.js';

const usage = `Usage: volley cache clear <dir> [--older-than 7d]

Removes the answers kept in a response cache (the directory given to --cache): all of them, or
with --older-than only those stored longer ago than that. Only a directory holding
volley-cache.json is touched, and in it only the cache's own files.

Options:
  --older-than 7d       keep entries younger than this (d, h, m, s, ms)`;

const options = {
  'older-than': { type: 'string' },
} as const;

export const cache: Command = {
  name: 'cache',
  usage,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, options, usage);
    const [action, dir, ...extra] = positionals;
    if (action !== 'clear') {
      const got = action === undefined ? 'nothing' : `'${action}'`;
      throw new UsageError(`Expected 'volley cache clear <dir>', got ${got}.\n\n${usage}`);
    }
    if (dir === undefined || extra.length > 0)
      throw new UsageError(`Expected one cache directory.\n\n${usage}`);
    const olderThan = durationFlag('older-than', values['older-than']);
    const path = resolve(io.cwd, dir);
    let result: Awaited<ReturnType<typeof clearCache>>;
    try {
      result = await clearCache(path, { olderThan });
    } catch (error) {
      if (error instanceof VolleyError && error.code === 'cache_unusable')
        throw new UsageError(error.message.replace(path, dir));
      throw error;
    }
    const kept = result.kept > 0 ? `; ${formatCount(result.kept)} younger than --older-than kept` : '';
    io.stdout.write(`Removed ${formatCount(result.removed)} cached answers from ${dir}${kept}.\n`);
    return EXIT.ok;
  },
};
