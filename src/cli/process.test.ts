/** The `volley` bin in a real process, once per path: the entry point runs, and Ctrl-C reaches the command. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

function volley(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

describe('the volley process', () => {
  it('prints its help', async () => {
    const run = volley(['--help']);
    expect(await run.exited).toBe(0);
    expect(run.out()).toMatch(/^Usage: volley <command>/);
  });

  it('stops a command at the first Ctrl-C and says how to quit at once', async () => {
    const sim = volley(['sim', '--port', '0']);
    await new Promise<void>((resolve) => {
      sim.child.stdout.on('data', () => {
        if (sim.out().includes('listening on')) resolve();
      });
    });
    sim.child.kill('SIGINT');
    expect(await sim.exited).toBe(0);
    expect(sim.err()).toContain('stopping: finishing calls in flight; press Ctrl-C again to quit');
    expect(sim.out()).toMatch(/"requests":0/); // the simulator's counters, printed as it stops
  });
});
