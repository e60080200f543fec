/** The built-in OpenAI-compatible simulator: `volley/simulator`. */

export type {
  BatchApiStats,
  BatchNumbers,
  LineFault,
  LineFaultKind,
  SimulatorBatchFaults,
  SimulatorBatchOptions,
} from './batch/index.js';
export { ConnectionResetError } from './faults.js';
export { createSimulator, type Simulator, type SimulatorFetch } from './handler.js';
export { type ListenOptions, listen, type SimulatorServer } from './listen.js';
export type {
  FaultKind,
  ResolvedSimulatorOptions,
  SimulatorClock,
  SimulatorFaults,
  SimulatorOptions,
} from './options.js';
export { DEFAULT_ANTHROPIC_MODELS, DEFAULT_MODELS } from './options.js';
export type { SimulatorStats } from './stats.js';
