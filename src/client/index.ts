export type { LimitOptions, RetryOptions, VolleyOptions } from './options.js';
export type {
  CallEventBase,
  CallOptions,
  CallResult,
  CallTimings,
  LaneSnapshot,
  Settled,
  VolleyEvents,
  WaitReason,
} from './types.js';
export { Volley } from './volley.js';
