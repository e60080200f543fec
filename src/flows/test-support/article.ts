/** The article chain the tests measure: an outline of three sections, every section at once, an intro. */
import { z } from 'zod';
import { flow } from '../flow.js';
import { parseList } from '../parsers.js';

export const article = flow('article', async (topic: string, step) => {
  const outline = await step.llm('outline', `Outline an article about ${topic} with 3 sections.`, {
    parse: parseList,
  });
  const sections = await step.map('sections', outline, (title, s) =>
    s.llm('expand', `Write the section "${title}" of an article about ${topic}.`),
  );
  const intro = await step.llm(
    'intro',
    `Write an intro for an article with these sections:\n${sections.join('\n\n')}`,
  );
  return { topic, intro, sections };
});

/** The same chain, with every section started as soon as its line of the outline has streamed in. */
export const streamedArticle = flow('streamed-article', async (topic: string, step) => {
  const outline = step.stream('outline', `Outline an article about ${topic} with 3 sections.`);
  const sections = await step.map('sections', outline, (title, s) =>
    s.llm('expand', `Write the section "${title}" of an article about ${topic}.`),
  );
  const intro = await step.llm(
    'intro',
    `Write an intro for an article with these sections:\n${sections.join('\n\n')}`,
  );
  return { topic, intro, sections };
});

export const Outline = z.object({
  sections: z.array(z.string()),
  audience: z.string(),
  keywords: z.array(z.string()),
  summary: z.string(),
});

/** An outline that goes on after its sections (audience, keywords): the sections start before it ends. */
export const jsonStreamedArticle = flow('json-streamed-article', async (topic: string, step) => {
  const outline = step.stream<string>(
    'outline',
    `Outline an article about ${topic} with 3 sections, then name its audience and keywords and sum it up.`,
    { jsonArray: 'sections', schema: Outline },
  );
  const sections = await step.map('sections', outline, (title, s) =>
    s.llm('expand', `Write the section "${title}" of an article about ${topic}.`),
  );
  const intro = await step.llm(
    'intro',
    `Write an intro for an article with these sections:\n${sections.join('\n\n')}`,
  );
  return { topic, intro, sections };
});
