/**
 * The one reader of the compact run record (`record-format.ts`): folds its lines into a `RunData`
 * of named events. Each invocation's segment is shifted to start where the one before it ended,
 * so a resumed run reads as one run of its active time, and its lanes are merged by key.
 */
import type { CallEvent, Lane, LaneState, RunData, Segment } from './events.js';
import type { HeaderRecord, LaneRecord, RunRecord } from './record-format.js';

/** A line of a run record: one record, or several written together. */
export type RecordLine = RunRecord | readonly RunRecord[];

/** Folds lines into a run; records before the first header are ignored. Undefined without one. */
export class RunDecoder {
  readonly run: RunData = { segments: [], lanes: [], states: [], events: [], endT: 0 };
  readonly #laneByKey = new Map<string, number>();
  /** This segment's lane numbers → the run's. */
  #laneMap: number[] = [];
  #segment: Segment | undefined;
  /** Called with each call event as it is decoded (the live bar's tally). */
  onEvent: ((event: CallEvent) => void) | undefined;
  onState: ((state: LaneState) => void) | undefined;
  onSegment: ((segment: Segment) => void) | undefined;

  constructor(readonly keep = true) {}

  line(line: RecordLine): void {
    if (Array.isArray(line)) for (const record of line as readonly RunRecord[]) this.record(record);
    else this.record(line as RunRecord);
  }

  record(r: RunRecord): void {
    if (r === null || typeof r !== 'object') return;
    if (r.e === 'run') {
      this.#begin(r);
      return;
    }
    const seg = this.#segment;
    if (!seg) return;
    const segment = seg.index;
    switch (r.e) {
      case 'lane':
        this.#laneMap[r.l] = this.#lane(r);
        return;
      case 'end':
        seg.ended = true;
        this.#reach(seg, r.t);
        return;
      case 'ls': {
        const state: LaneState = {
          at: seg.offset + r.t,
          lane: this.#laneMap[r.l] ?? r.l,
          segment,
          rpm: r.rpm,
          tpm: r.tpm,
          inFlight: r.f,
          queued: r.q,
          concurrency: r.c,
          waitingFor: r.w,
          pausedUntil: r.pu === undefined ? undefined : seg.offset + r.pu,
        };
        if (this.keep) this.run.states.push(state);
        this.onState?.(state);
        break;
      }
      default: {
        const event = this.#call(r, seg);
        if (!event) return; // a record kind from a newer version: skipped
        if (this.keep) this.run.events.push(event);
        this.onEvent?.(event);
      }
    }
    this.#reach(seg, r.t);
  }

  #begin(header: HeaderRecord): void {
    const previous = this.#segment;
    const segment: Segment = {
      index: this.run.segments.length,
      meta: header.meta ?? {},
      limits: header.limits ?? {},
      wall: header.wall ?? '',
      offset: previous ? previous.offset + previous.durationMs : 0,
      durationMs: 0,
      ended: false,
    };
    this.run.segments.push(segment);
    this.#segment = segment;
    this.#laneMap = [];
    this.onSegment?.(segment);
  }

  #reach(seg: Segment, t: number): void {
    if (t > seg.durationMs) seg.durationMs = t;
    const end = seg.offset + seg.durationMs;
    if (end > this.run.endT) this.run.endT = end;
  }

  #lane(r: LaneRecord): number {
    let index = this.#laneByKey.get(r.k);
    if (index === undefined) {
      index = this.run.lanes.length;
      this.#laneByKey.set(r.k, index);
      const lane: Lane = { index, key: r.k, model: r.m, provider: r.p, baseURL: r.u };
      this.run.lanes.push(lane);
    }
    return index;
  }

  /**
   * Each event is one object literal, written out: `{ ...base, type }` would be shorter, but V8
   * (Node 20) turns a spread followed by more fields into a dictionary-mode object, about 50 times
   * slower to build and slower to read in every panel; for a 100,000-call record that was most of
   * the report's time.
   */
  #call(r: Exclude<RunRecord, { e: 'run' | 'lane' | 'end' | 'ls' }>, seg: Segment): CallEvent | undefined {
    const id = r.i;
    const lane = this.#laneMap[r.l] ?? r.l;
    const segment = seg.index;
    const at = seg.offset + r.t;
    switch (r.e) {
      case 'q':
        return { id, lane, segment, at, type: 'queued', estimatedTokens: r.n };
      case 's':
        return { id, lane, segment, at, type: 'started', attempt: r.a };
      case 'r':
        return { id, lane, segment, at, type: 'rate-limited', pauseMs: r.ms, status: r.st };
      case 'y':
        return {
          id,
          lane,
          segment,
          at,
          type: 'retried',
          attempt: r.a,
          delayMs: r.ms,
          code: r.c,
          status: r.st,
        };
      case 'f':
        return {
          id,
          lane,
          segment,
          at,
          type: 'finished',
          attempts: r.a,
          latencyMs: r.lat,
          queuedMs: r.qd,
          promptTokens: r.in ?? 0,
          completionTokens: r.out ?? 0,
          finishReason: r.fr,
          model: r.m ?? this.run.lanes[lane]?.model ?? 'unknown model',
        };
      case 'x':
        return {
          id,
          lane,
          segment,
          at,
          type: 'failed',
          attempts: r.a,
          queuedMs: r.qd,
          latencyMs: r.lat,
          code: r.c,
          status: r.st,
          message: r.msg,
        };
      default:
        return undefined;
    }
  }
}

/** Decodes whole lines at once; undefined when they hold no run header. */
export function decodeRun(lines: Iterable<RecordLine>): RunData | undefined {
  const decoder = new RunDecoder();
  for (const line of lines) decoder.line(line);
  return decoder.run.segments.length > 0 ? decoder.run : undefined;
}
