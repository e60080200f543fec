import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { stopSignals } from './signals.js';

function setup() {
  const source = new EventEmitter();
  const written: string[] = [];
  const exits: number[] = [];
  const timers: { fn: () => void; ms: number; unref: boolean }[] = [];
  const stops = stopSignals(source as never, {
    write: (text) => written.push(text),
    exit: (code) => exits.push(code),
    fallbackMs: 4000,
    setTimer: (fn, ms) => {
      const timer = { fn, ms, unref: false };
      timers.push(timer);
      return { unref: () => (timer.unref = true) };
    },
  });
  return { source, written, exits, timers, stops };
}

describe('stopSignals', () => {
  it('first Ctrl-C stops new work and says how to quit; nothing exits', () => {
    const { source, written, exits, timers, stops } = setup();
    source.emit('SIGINT');
    expect(stops.signal.aborted).toBe(true);
    expect(stops.hardSignal.aborted).toBe(false);
    expect(written.join('')).toContain('stopping: finishing calls in flight; press Ctrl-C again to quit');
    expect(exits).toEqual([]);
    expect(timers).toEqual([]);
  });

  it('the second cancels calls in flight and leaves the command time to print its summary', () => {
    const { source, exits, timers, stops } = setup();
    source.emit('SIGTERM');
    source.emit('SIGINT');
    expect(stops.hardSignal.aborted).toBe(true);
    expect(exits).toEqual([]); // the command returns 130 itself after its summary
    expect(timers.map((t) => [t.ms, t.unref])).toEqual([[4000, true]]);
    timers[0]!.fn(); // the command did not return in time
    expect(exits).toEqual([130]);
  });

  it('a third quits at once, and dispose stops listening', () => {
    const { source, exits, stops } = setup();
    for (let i = 0; i < 3; i++) source.emit('SIGINT');
    expect(exits).toEqual([130]);
    stops.dispose();
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });
});
