import { mulberry32, seedFrom } from '../rng.js';
import { hits, type LineFault, type LineFaultKind } from './options.js';

/**
 * The scripted fault a line of a batch draws, if any: one uniform draw seeded by the simulator's
 * seed, the batch id and the line, split between the entries that hit this batch in their order.
 * Not from the simulator's shared stream, so a batch's faults do not depend on the order in which
 * requests arrive; and a line resubmitted in another batch draws anew.
 */
export function lineFault(
  faults: readonly LineFault[],
  where: { readonly seed: number; readonly batchId: string; readonly batchNumber: number },
  index: number,
): LineFaultKind | undefined {
  const applying = faults.filter((fault) => hits(fault, where.batchNumber));
  if (applying.length === 0) return undefined;
  const draw = mulberry32(seedFrom(where.seed, `${where.batchId}#${index}`))();
  let upTo = 0;
  for (const fault of applying) {
    upTo += fault.rate;
    if (draw < upTo) return fault.kind;
  }
  return undefined;
}
