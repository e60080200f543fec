/** What the hand-written contenders share: an `openai` SDK client, and the shape of the work. */
import OpenAI from 'openai';
import { introPrompt, listItems, outlinePrompt, sectionPrompt } from '../scenarios.js';
import { type ContenderContext, type Tally, tally } from './types.js';

/** An `openai` SDK client as its README builds one: default retries (2), timeout only when given. */
export function sdkClient(ctx: ContenderContext): OpenAI {
  return new OpenAI({
    baseURL: ctx.baseURL,
    apiKey: 'bench',
    ...(ctx.timeoutMs === undefined ? {} : { timeout: ctx.timeoutMs }),
  });
}

/** One chat completion through the SDK; resolves with the answer's text. */
export async function complete(client: OpenAI, model: string, prompt: string): Promise<string> {
  const completion = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: prompt }],
  });
  return completion.choices[0]?.message.content ?? '';
}

/**
 * Every item at once through `ask` (which applies the contender's limiter to one call), counting
 * each as it ends. For the article chain each item is a topic, written the way one writes it by
 * hand: the outline, then `Promise.all` over the sections, then the intro.
 */
export function runItems(ctx: ContenderContext, ask: (prompt: string) => Promise<string>): Promise<Tally> {
  const article = ctx.article;
  if (!article) return forEachItem(ctx, ask);
  return forEachItem(ctx, async (topic) => {
    const titles = listItems(await ask(outlinePrompt(topic, article.sections)));
    const sections = await Promise.all(titles.map((title) => ask(sectionPrompt(topic, title))));
    await ask(introPrompt(topic, sections));
  });
}

/** Starts `one` for every item at once and counts each outcome as it ends. */
async function forEachItem(ctx: ContenderContext, one: (item: string) => Promise<unknown>): Promise<Tally> {
  const t = tally(ctx);
  await Promise.all(
    ctx.prompts.map((item) =>
      one(item).then(
        () => t.count(true),
        () => t.count(false),
      ),
    ),
  );
  return { ok: t.ok, failed: t.failed };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
