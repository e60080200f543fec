/** Every command of the CLI, one file each. */
import type { Command } from '../io.js';
import { demo } from './demo.js';
import { flowCommand } from './flow.js';
import { report } from './report.js';
import { run } from './run.js';
import { sim } from './sim.js';
import { status } from './status.js';

export const commands: readonly Command[] = [run, flowCommand, sim, demo, report, status];
