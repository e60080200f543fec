/**
 * Fifty prompts under a limit of 600 requests a minute: Volley paces them to the limit (the
 * simulator answers 429 to anything faster) instead of sending all fifty and retrying.
 *   npx tsx examples/rate-limited.ts
 */
import { flow } from 'volley';
import { connect, excerpt, seconds } from './connect.js';

const RPM = 600;
const headlines = flow('headlines', (topics: string[], step) =>
  step.map('topics', topics, (topic, s) => s.llm('headline', `Write a headline about ${topic}.`)),
);

const topics = Array.from({ length: 50 }, (_, i) => `topic number ${i + 1}`);
const { volley, where, stats, close } = await connect({ latencyMs: 400, rpm: RPM });
try {
  console.log(`Fifty prompts at ${RPM} requests/min, against ${where}\n`);
  const { output, summary } = await headlines.run(topics, { volley });
  console.log(`  first: ${excerpt(output[0]!)}\n  last:  ${excerpt(output.at(-1)!)}`);
  const perSecond = summary.calls / (summary.makespanMs / 1000);
  console.log(
    `\n  ${summary.calls} calls in ${seconds(summary.makespanMs)}: ${perSecond.toFixed(1)} calls/s ` +
      `against a ceiling of ${RPM / 60}/s (a burst of ${RPM / 60} is allowed at once)`,
  );
  console.log(`  one after another: ${seconds(summary.sequentialMs)}`);
  const counters = stats?.();
  if (counters) console.log(`  429 answers from the simulator: ${counters.rateLimited}`);
  console.log(`  ${summary.line}`);
} finally {
  await close();
}
