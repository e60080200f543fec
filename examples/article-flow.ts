/**
 * The article chain as a flow module: an outline of three sections, every section written at once,
 * then an intro over all of them. Run it over a file of topics with
 *   npx volley flow examples/article-flow.ts --input examples/topics.jsonl --out /tmp/articles.jsonl --sim
 */

import { flow, parseList } from 'volley';
import { z } from 'zod';

export interface Article {
  readonly topic: string;
  readonly outline: string[];
  readonly sections: string[];
  readonly intro: string;
}

const outlinePrompt = (topic: string) =>
  `Outline a short article about ${topic} with 3 sections. Answer with a numbered list of section titles only.`;
const sectionPrompt = (topic: string, title: string) =>
  `Write the section "${title}" of a short article about ${topic}, in one paragraph.`;
const introPrompt = (topic: string, sections: string[]) =>
  `Write a two-sentence intro for an article about ${topic} with these sections:\n\n${sections.join('\n\n')}`;

/** Waits for the whole outline, then expands every section at once: three round trips. */
export const article = flow('article', async (topic: string, step): Promise<Article> => {
  const outline = await step.llm('outline', outlinePrompt(topic), { parse: parseList });
  const sections = await step.map('sections', outline, (title, s) =>
    s.llm('write', sectionPrompt(topic, title)),
  );
  const intro = await step.llm('intro', introPrompt(topic, sections));
  return { topic, outline, sections, intro };
});

/** Streams the outline and starts each section as soon as its title has arrived. */
export const streamedArticle = flow('streamed-article', async (topic: string, step): Promise<Article> => {
  const outline = step.stream('outline', outlinePrompt(topic));
  const sections = await step.map('sections', outline, (title, s) =>
    s.llm('write', sectionPrompt(topic, title)),
  );
  const intro = await step.llm('intro', introPrompt(topic, sections));
  return { topic, outline: await outline.items(), sections, intro };
});

const Outline = z.object({
  sections: z.array(z.string()),
  audience: z.string(),
  keywords: z.array(z.string()),
  summary: z.string(),
});

/**
 * Asks for the outline as JSON that goes on after its sections (audience, keywords, summary),
 * streams it, and starts each section as soon as its title is complete: the sections overlap the
 * rest of the outline.
 */
export const jsonOutlineArticle = flow(
  'json-outline-article',
  async (topic: string, step): Promise<Article> => {
    const outline = step.stream<string>(
      'outline',
      `Outline a short article about ${topic} with 3 sections, then name its audience and 3 keywords, and sum it up in a sentence.`,
      { jsonArray: 'sections', schema: Outline },
    );
    const sections = await step.map('sections', outline, (title, s) =>
      s.llm('write', sectionPrompt(topic, title)),
    );
    const intro = await step.llm('intro', introPrompt(topic, sections));
    return { topic, outline: await outline.items(), sections, intro };
  },
);

export default article;
