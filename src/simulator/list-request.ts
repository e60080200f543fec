/** Largest list the simulator writes, however many items a prompt asks for. */
const MAX_LIST_ITEMS = 100;

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
};

const NOUNS =
  'items?|sections?|points?|steps?|ideas?|questions?|topics?|bullets?|reasons?|tips?|examples?|names?|' +
  'titles?|options?|things?|facts?|ways?|lines?|chapters?|parts?|headlines?|tasks?|subtopics?|keywords?|' +
  'suggestions?|entries|entry';

// A count, up to three plain words ("short", "bullet", "key"), then a noun of things to enumerate:
// "with 3 sections", "List 5 ideas", "give me 4 bullet points". Words in between may not be numbers,
// so "step 3 of 5 steps" reads as 5.
const PATTERN = new RegExp(
  `\\b(\\d{1,6}|${Object.keys(NUMBER_WORDS).join('|')})\\s+(?:[a-z'-]+,?\\s+){0,3}?(?:${NOUNS})\\b`,
  'i',
);

/** How many list items a prompt asks for, capped at `MAX_LIST_ITEMS`; undefined when it asks for none. */
export function requestedCount(text: string): number | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const word = match[1]!.toLowerCase();
  const count = NUMBER_WORDS[word] ?? Number.parseInt(word, 10);
  return count >= 1 ? Math.min(count, MAX_LIST_ITEMS) : undefined;
}
