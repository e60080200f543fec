/** What every contender gets and gives back. */

export interface Tally {
  ok: number;
  failed: number;
}

export interface ContenderContext {
  /** The simulator's base URL, ending in `/v1`. */
  readonly baseURL: string;
  readonly model: string;
  /** The prompts of a flat run, or the topics of the article chain. */
  readonly prompts: readonly string[];
  /** Present for the article chain: outline → this many sections at once → intro, per topic. */
  readonly article?: { readonly sections: number } | undefined;
  /** The account's limits, as a user who read them off the provider's dashboard would type them. */
  readonly limits: { readonly rpm?: number | undefined; readonly tpm?: number | undefined };
  /** The typical latency, for the settings a user tunes by hand (ms). */
  readonly latencyMs: number;
  /** Per-attempt timeout for contenders that support one (ms); undefined keeps their default. */
  readonly timeoutMs?: number | undefined;
  /** Counts one finished item as it ends, so that a run stopped at its cap still has its counts. */
  readonly record: (ok: boolean) => void;
}

/** Runs every item once, the way the library's own documentation shows, and counts the outcomes. */
export type Contender = (ctx: ContenderContext) => Promise<Tally>;

/** A tally that reports each outcome through `ctx.record` as it is counted. */
export function tally(ctx: ContenderContext): Tally & { count(ok: boolean): void } {
  const t = {
    ok: 0,
    failed: 0,
    count(ok: boolean) {
      if (ok) t.ok++;
      else t.failed++;
      ctx.record(ok);
    },
  };
  return t;
}
