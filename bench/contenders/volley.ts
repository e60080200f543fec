/**
 * Volley, as its README shows it: an `openai()` provider pointed at the server and `settle` over the
 * prompts; the article chain as a flow (`step.llm`, `step.map`) run over the topics with
 * `flow.batch`. `volley` configures no limits (they are learned from the server's headers);
 * `volleyTold` is given the account's rpm and tpm. Both take the scenario's per-attempt timeout.
 */
// The SDK is loaded with this module, before the clock starts, as every other contender's is:
// Volley itself imports it only when the first provider is built, which here is inside the run.
import 'openai';
import { Volley } from '../../src/client/volley.js';
import { flow } from '../../src/flows/index.js';
import { parseList } from '../../src/flows/parsers.js';
import { openai } from '../../src/providers/index.js';
import { introPrompt, outlinePrompt, sectionPrompt } from '../scenarios.js';
import { type Contender, type ContenderContext, tally } from './types.js';

function client(ctx: ContenderContext, told: boolean): Volley {
  return new Volley({
    provider: openai({ baseURL: ctx.baseURL, apiKey: 'bench', env: {} }),
    model: ctx.model,
    ...(told ? { limits: { rpm: ctx.limits.rpm, tpm: ctx.limits.tpm } } : {}),
    ...(ctx.timeoutMs === undefined ? {} : { timeout: ctx.timeoutMs }),
  });
}

function articleFlow(sections: number) {
  return flow('article', async (topic: string, step) => {
    const outline = await step.llm('outline', outlinePrompt(topic, sections), { parse: parseList });
    const bodies = await step.map('sections', outline, (title, s) =>
      s.llm('write', sectionPrompt(topic, title)),
    );
    return step.llm('intro', introPrompt(topic, bodies));
  });
}

function run(told: boolean): Contender {
  return async (ctx) => {
    const volley = client(ctx, told);
    const t = tally(ctx);
    if (ctx.article) {
      for await (const result of articleFlow(ctx.article.sections).batch(ctx.prompts, { volley })) {
        t.count(result.ok);
      }
    } else {
      volley.on('finished', () => t.count(true));
      volley.on('failed', () => t.count(false));
      await volley.settle(ctx.prompts.map((prompt) => ({ prompt })));
    }
    return { ok: t.ok, failed: t.failed };
  };
}

export const volley = run(false);
export const volleyTold = run(true);
