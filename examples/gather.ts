/**
 * Three prompts gathered at once in one flow step, against the same three one after another.
 *   npx tsx examples/gather.ts
 */
import { flow } from 'volley';
import { connect, excerpt, seconds } from './connect.js';

const angles = flow('angles', (topic: string, step) =>
  step.all('angles', {
    history: (s) => s.llm('ask', `In two sentences, the history of ${topic}.`),
    today: (s) => s.llm('ask', `In two sentences, how ${topic} is used today.`),
    future: (s) => s.llm('ask', `In two sentences, where ${topic} is heading.`),
  }),
);

const { volley, where, close } = await connect({ latencyMs: 400 });
try {
  console.log(`Three prompts about sailing at once, against ${where}\n`);
  const { output, summary } = await angles.run('sailing', { volley });
  for (const [angle, text] of Object.entries(output)) console.log(`  ${angle}: ${excerpt(text)}`);
  console.log(
    `\n  took ${seconds(summary.makespanMs)}; one after another: ${seconds(summary.sequentialMs)} ` +
      `(${(summary.sequentialMs / summary.makespanMs).toFixed(1)}x longer)`,
  );
  console.log(`  ${summary.line}`);
} finally {
  await close();
}
