/**
 * A child process for the lock tests: takes the lock on argv[2], says so on stdout with its pid,
 * and holds it until it is killed (or its stdin closes, so that a failed test leaves no orphan).
 */
import { takeLock } from '../lock.js';

const lock = await takeLock(process.argv[2]!, { command: 'volley run holder-test' });
process.stdout.write(`${JSON.stringify({ locked: lock.path, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
