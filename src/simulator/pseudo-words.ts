import { countTextTokens } from '../tokens/count.js';
import { mulberry32, pick, type Random, randomInt } from './rng.js';

// Pronounceable syllables, so answers look like text in logs without pretending to mean anything.
const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'st', 'tr', 'pl'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'm'];

function inventWord(random: Random): string {
  let word = '';
  const syllables = randomInt(random, 1, 3);
  for (let i = 0; i < syllables; i++)
    word += pick(random, ONSETS) + pick(random, VOWELS) + pick(random, CODAS);
  return word;
}

// Answers draw from a fixed lexicon rather than inventing every word: the tokenizer caches the words
// it has seen, and tokenizing ever-new words made long answers several times slower.
const LEXICON: readonly string[] = (() => {
  const random = mulberry32(0x5eed);
  const words = new Set<string>();
  while (words.size < 2048) words.add(inventWord(random));
  return [...words];
})();

const tokenCosts = new Map<string, number>();

/** Tokens of a word after a space, as it appears mid-sentence; cached per word of the lexicon. */
function tokenCost(word: string): number {
  let cost = tokenCosts.get(word);
  if (cost === undefined) {
    cost = countTextTokens(` ${word}`);
    tokenCosts.set(word, cost);
  }
  return cost;
}

function pseudoWord(random: Random): string {
  return pick(random, LEXICON);
}

/** A few capitalised pseudo-words without a full stop: a list line or a title. */
export function pseudoPhrase(random: Random, minWords: number, maxWords: number): string {
  const words: string[] = [];
  const count = randomInt(random, minWords, maxWords);
  for (let i = 0; i < count; i++) words.push(pseudoWord(random));
  return capitalise(words.join(' '));
}

/**
 * Sentences of pseudo-words adding up to about `targetTokens` tokens. Token counts of separate words
 * are summed as an estimate; the caller counts the final text exactly.
 */
export function pseudoText(random: Random, targetTokens: number): string {
  const sentences: string[] = [];
  let tokens = 0;
  while (tokens < targetTokens) {
    const words: string[] = [];
    const length = randomInt(random, 6, 14);
    while (words.length < length && tokens < targetTokens) {
      const word = pseudoWord(random);
      words.push(word);
      tokens += tokenCost(word);
    }
    sentences.push(`${capitalise(words.join(' '))}.`);
    tokens += 1;
  }
  return sentences.join(' ');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
