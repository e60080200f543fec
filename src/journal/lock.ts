/**
 * One run per output: a lock file beside it (`<out>.lock`) holding the holder's pid, host, start
 * time and command. A second taker while the holder lives is refused at once with a `LockError`
 * naming that process; a lock whose holder is gone (same host, `kill(pid, 0)` says ESRCH) is
 * taken over.
 *
 * The file appears with its content already in it: it is written under a name of its own, then
 * hard-linked to the lock's name, which fails if the lock exists (as O_EXCL does, and where a
 * file system has no hard links, O_EXCL it is). A reader therefore never sees an empty lock.
 *
 * Taking over is where two takers race: both see the dead holder, and if each deleted the lock
 * and made its own, the second would delete the first's fresh lock. So a taker first takes
 * `<out>.lock.takeover` (the same exclusive create), checks under it that the lock is still the
 * dead one it saw (same inode and holder), and only then removes it. A taker that finds the
 * takeover file waits for it to go (it is held for microseconds) or removes it when its own holder
 * died.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { link, open, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { VolleyError } from '../errors.js';

/** What a lock file says about its holder. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** ISO 8601. */
  readonly started_at: string;
  readonly command: string;
  /** Tells this holder's lock from a later one of the same pid. */
  readonly token: string;
}

/** Another live process holds the lock (or one on another host might). */
export class LockError extends VolleyError {
  override readonly name = 'LockError';
  declare readonly code: 'locked';

  constructor(
    message: string,
    /** The holder, as its lock file says. */
    readonly holder: LockHolder,
  ) {
    super('locked', message);
  }
}

export interface LockOptions {
  /** The command shown to a second taker. @default this process's arguments */
  readonly command?: string | undefined;
  /** Start time written in the lock. @default now */
  readonly now?: Date | undefined;
}

/** A held lock. `release` (or the process exiting normally) removes the file. */
export class Lock {
  #released = false;
  readonly #onExit = () => this.#releaseSync();

  constructor(
    /** The lock file, `<target>.lock`. */
    readonly path: string,
    readonly holder: LockHolder,
  ) {
    process.once('exit', this.#onExit);
  }

  /** Removes the lock file if it is still this holder's. Safe to call twice. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    process.removeListener('exit', this.#onExit);
    if ((await readHolder(this.path))?.token === this.holder.token) await unlink(this.path).catch(() => {});
  }

  #releaseSync(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone.
    }
  }
}

const TAKEOVER_WAIT_MS = 1_000;

/**
 * Takes the lock on `target` (the file `<target>.lock`), or rejects with a `LockError` naming the
 * live holder's pid and command. A lock left by a dead process on this host is taken over.
 */
export async function takeLock(target: string, options: LockOptions = {}): Promise<Lock> {
  const path = `${target}.lock`;
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    started_at: (options.now ?? new Date()).toISOString(),
    command: options.command ?? process.argv.slice(1).join(' '),
    token: randomBytes(8).toString('hex'),
  };
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    if (await createExclusive(path, holder)) return new Lock(path, holder);
    const seen = await inspect(path);
    if (seen === undefined) continue; // released meanwhile: try again
    if (seen.holder && isAlive(seen.holder)) throw lockedBy(path, seen.holder);
    // The holder is gone. A lock without a readable holder is one an O_EXCL create is still
    // writing, for an instant; past the deadline it is debris, and taken over too.
    const late = Date.now() > deadline;
    const outcome = seen.holder || late ? await takeOver(path, seen, holder) : { busy: seen.holder };
    if (outcome === 'taken') return new Lock(path, holder);
    if (outcome === 'again') continue;
    if (late) throw lockedBy(path, outcome.busy ?? { ...holder, pid: 0, command: 'unknown' });
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Creates `path` holding `holder`, atomically and only if it does not exist. */
async function createExclusive(path: string, holder: LockHolder): Promise<boolean> {
  const text = `${JSON.stringify(holder)}\n`;
  const own = `${path}.${holder.pid}-${holder.token}`;
  await writeFile(own, text, { flag: 'wx' });
  try {
    await link(own, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    // No hard links here: an exclusive create, with the tiny window where the file is empty.
    try {
      await writeFile(path, text, { flag: 'wx' });
      return true;
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    await unlink(own).catch(() => {});
  }
}

/**
 * Under the takeover file: removes the lock if it is still the one `seen` with its holder dead,
 * and takes it. 'again' when the lock changed meanwhile (look again); `busy` (with its holder)
 * while another taker holds the takeover file.
 */
async function takeOver(
  path: string,
  seen: { readonly ino: number; readonly holder: LockHolder | undefined },
  holder: LockHolder,
): Promise<'taken' | 'again' | { busy: LockHolder | undefined }> {
  const takeover = `${path}.takeover`;
  if (!(await createExclusive(takeover, holder))) {
    const other = await inspect(takeover);
    if (other?.holder && isAlive(other.holder)) return { busy: other.holder };
    // A taker killed while it held the takeover file (or one that just let it go): look again.
    if (other?.holder) await unlink(takeover).catch(() => {});
    return other === undefined || other.holder ? 'again' : { busy: undefined };
  }
  try {
    // The same inode is not enough: a taker that has just removed the dead lock frees its inode,
    // and the file system may give it to the new lock: two processes both held the lock so, in
    // one CI run. The holder's token tells the new lock from the dead one. `force`: another taker
    // may have removed it first.
    const now = await inspect(path);
    if (now !== undefined && (now.ino !== seen.ino || now.holder?.token !== seen.holder?.token))
      return 'again';
    if (now !== undefined) await rm(path, { force: true });
    return (await createExclusive(path, holder)) ? 'taken' : 'again';
  } finally {
    await unlink(takeover).catch(() => {});
  }
}

/** The lock file's inode and holder (undefined holder when unreadable), or undefined if absent. */
async function inspect(path: string): Promise<{ ino: number; holder: LockHolder | undefined } | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { ino } = await handle.stat();
    return { ino, holder: parseHolder(await handle.readFile('utf8')) };
  } finally {
    await handle.close();
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  return parseHolder(await readFile(path, 'utf8').catch(() => ''));
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    return typeof value.pid === 'number' && typeof value.hostname === 'string'
      ? (value as LockHolder)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the holder may still be running: always, on another host, where we cannot tell. */
function isAlive(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function lockedBy(path: string, holder: LockHolder): LockError {
  const where = holder.hostname === hostname() ? '' : ` on ${holder.hostname}`;
  const gone = holder.hostname === hostname() ? '' : ` If that process is gone, delete ${path}.`;
  return new LockError(
    `Another volley run is writing this output: pid ${holder.pid}${where}, started ${holder.started_at}, ` +
      `running \`${holder.command}\`. Wait for it to finish or stop it, then rerun.${gone}`,
    holder,
  );
}
