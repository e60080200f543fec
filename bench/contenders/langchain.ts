/**
 * LangChain.js: `ChatOpenAI` pointed at the simulator through `configuration.baseURL`, and the
 * prompts run with `model.batch(inputs, { maxConcurrency })` as its documentation shows (with
 * `returnExceptions`, so one failure does not lose the rest). LangChain retries by itself (its
 * default `maxRetries` of 6, honouring `retry-after`); the SDK client it builds has retries off.
 * The article chain uses `invoke` for the outline and the intro and `batch` for the sections, with
 * the same `maxConcurrency` on the model so that all topics share it.
 */
import { ChatOpenAI } from '@langchain/openai';
import { introPrompt, listItems, outlinePrompt, sectionPrompt } from '../scenarios.js';
import { type Contender, tally } from './types.js';

const MAX_CONCURRENCY = 50;

function textOf(content: unknown): string {
  return typeof content === 'string' ? content : JSON.stringify(content);
}

export const langchain: Contender = async (ctx) => {
  const model = new ChatOpenAI({
    model: ctx.model,
    apiKey: 'bench',
    configuration: { baseURL: ctx.baseURL },
    maxConcurrency: MAX_CONCURRENCY,
    ...(ctx.timeoutMs === undefined ? {} : { timeout: ctx.timeoutMs }),
  });
  const t = tally(ctx);
  const article = ctx.article;
  if (!article) {
    // Counted as each call ends, through LangChain's own callbacks: `batch` only returns at the end.
    const counter = {
      handleLLMEnd: () => t.count(true),
      handleLLMError: () => t.count(false),
    };
    await model.batch(
      [...ctx.prompts],
      { maxConcurrency: MAX_CONCURRENCY, callbacks: [counter] },
      { returnExceptions: true },
    );
    return { ok: t.ok, failed: t.failed };
  }
  await Promise.all(
    ctx.prompts.map(async (topic) => {
      try {
        const outline = await model.invoke(outlinePrompt(topic, article.sections));
        const titles = listItems(textOf(outline.content));
        const sections = await model.batch(
          titles.map((title) => sectionPrompt(topic, title)),
          { maxConcurrency: MAX_CONCURRENCY },
        );
        await model.invoke(
          introPrompt(
            topic,
            sections.map((s) => textOf(s.content)),
          ),
        );
        t.count(true);
      } catch {
        t.count(false);
      }
    }),
  );
  return { ok: t.ok, failed: t.failed };
};
