/** Every command of the CLI, one file each. */
import type { Command } from '../io.js';
import { sim } from './sim.js';

export const commands: readonly Command[] = [sim];
