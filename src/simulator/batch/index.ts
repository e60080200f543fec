/** The OpenAI Files and Batches APIs of the simulator, on a clock of their own pace. */
import { batchesRoutes } from './batches-routes.js';
import type { BatchContext } from './context.js';
import { filesRoutes } from './files-routes.js';
import type { Route } from './route-table.js';

export { type BatchContext, batchContext } from './context.js';
export type {
  BatchNumbers,
  LineFault,
  LineFaultKind,
  SimulatorBatchFaults,
  SimulatorBatchOptions,
} from './options.js';
export { type Route, routeTable } from './route-table.js';
export type { BatchApiStats } from './stats.js';

/** `/v1/files` and `/v1/batches`. */
export function openaiBatchRoutes(context: BatchContext): Route[] {
  return [...filesRoutes(context), ...batchesRoutes(context)];
}
