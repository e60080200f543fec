/**
 * Ids the simulator hands out: the API's own prefix, then `sim` and a hex serial, so an id in a log
 * says where it came from (`batch_sim000000000000002a`, `file-sim…`, `msgbatch_sim…`, `msg_sim…`).
 */
export function simId(prefix: string, serial: number): string {
  return `${prefix}sim${serial.toString(16).padStart(16, '0')}`;
}

/** The id of line `index` of batch `batchId`: the batch's own serial with the line's after it. */
export function lineId(prefix: string, batchId: string, index: number): string {
  return `${prefix}${batchId.slice(batchId.indexOf('sim'))}${index.toString(16).padStart(6, '0')}`;
}
