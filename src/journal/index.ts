/**
 * Durable files: an append log whose acknowledged records survive a kill or a full disk, its
 * reader and repair, atomic replace, and (`lock.ts`) one run per output.
 */
export { AppendLog, type AppendLogOptions } from './append-log.js';
export { replaceFile, syncDirectory, temporaryFor, writeFileAtomic } from './atomic.js';
export { JournalError, type JournalErrorCode, writeFailure } from './errors.js';
export { type DurableFile, type OpenFile, openFile, writeAll } from './file.js';
export { Lock, LockError, type LockHolder, type LockOptions, takeLock } from './lock.js';
export { type LogDamage, type ReadLogOptions, readLog } from './read-log.js';
export { decodeRegion, firstInvalidUtf8, type LineRegion, lineRegions } from './regions.js';
export { type RepairOptions, type RepairResult, repairLog } from './repair.js';
