/**
 * The article chain three ways: waiting for the whole outline; streaming a listed outline so that
 * each section starts as soon as its title has arrived; and streaming a JSON outline that goes on
 * after its sections (audience, keywords), where the sections overlap the rest of the outline.
 * Prints each run's timing against the same calls one after another, and its trace summary.
 *   npx tsx examples/article.ts [topic]
 */
import { article, jsonOutlineArticle, streamedArticle } from './article-flow.js';
import { connect, excerpt, seconds } from './connect.js';

const topic = process.argv[2] ?? 'how tides work';
// Simulated answers stream at 4 ms a token after 100 ms, so that streaming has something to overlap.
const { volley, where, close } = await connect({ latencyMs: 100, msPerToken: 4 });
try {
  console.log(`Article about "${topic}" against ${where}\n`);
  for (const chain of [article, streamedArticle, jsonOutlineArticle]) {
    const run = await chain.run(topic, { volley });
    const { output, summary } = run;
    console.log(`${chain.name}:`);
    console.log(`  outline: ${output.outline.map((title) => excerpt(title, 30)).join(' | ')}`);
    for (const [i, section] of output.sections.entries())
      console.log(`  section ${i + 1}: ${excerpt(section)}`);
    console.log(`  intro: ${excerpt(output.intro)}`);
    console.log(
      `  took ${seconds(summary.makespanMs)}; the same ${summary.calls} calls one after another: ` +
        `${seconds(summary.sequentialMs)} (${(summary.sequentialMs / summary.makespanMs).toFixed(1)}x longer)`,
    );
    console.log(`  ${summary.line}\n`);
  }
} finally {
  await close();
}
