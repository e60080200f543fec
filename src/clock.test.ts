import { expect, it } from 'vitest';
import { systemClock } from './clock.js';

it("reads the event loop's load as busy after a blocking spin and idle after a wait", async () => {
  systemClock.loopLoad?.(); // starts a window
  const spinUntil = performance.now() + 300;
  while (performance.now() < spinUntil) {
    // Blocks the loop, as a client too busy to read its answers does.
  }
  expect(systemClock.loopLoad?.()).toBeGreaterThan(0.8);
  await new Promise((resolve) => setTimeout(resolve, 250)); // a window spent waiting for a timer
  expect(systemClock.loopLoad?.()).toBeLessThan(0.2);
});

it("meters the loop's load over the span since its last reading", async () => {
  const meter = systemClock.loopMeter!();
  const spinUntil = performance.now() + 50;
  while (performance.now() < spinUntil) {
    // Busy, as a client still putting its first calls on the wire is.
  }
  expect(meter()).toBeGreaterThan(0.8);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(meter()).toBeLessThan(0.3); // the spin is not in this span
});
