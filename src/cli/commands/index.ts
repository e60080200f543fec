/** Every command of the CLI, one file each. */
import type { Command } from '../io.js';

export const commands: readonly Command[] = [];
