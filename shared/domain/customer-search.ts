// The words a customer is found by, and a search text's words: lower case, accents folded (Müller →
// muller, Çelik → celik, Ελένη → ελενη), any script's letters and digits (\p{L}, \p{N}), everything
// else a separator (an email's dots, @ and dashes too, so `max.mu` finds max.mustermann@example.com).
// A German umlaut is also written out (Müller is found by `mueller` too).

/** Letters with no decomposition to a base letter, as a reader would type them. */
const SPECIAL: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', ı: 'i', þ: 'th', ħ: 'h' };
const UMLAUT: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue' };
// Built from the keys, not written as a literal: esbuild escapes non-ASCII characters in strings, not
// in a regular expression literal, and one such character left in a bundle makes V8 hold the whole
// source two bytes a character (lib/bundling.ts).
const SPECIAL_LETTER = new RegExp(`[${Object.keys(SPECIAL).join('')}]`, 'g');
// Combining marks belong to their word (İ lower-cases to i and a combining dot): fold drops them.
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** At most this many words of one customer are indexed (more would not fit one transaction). */
export const MAX_WORDS = 24;
/** The longest word kept (longer ones are cut: a prefix search still finds them). */
export const MAX_WORD_LENGTH = 40;

const foldOnce = (text: string) =>
  text
    .toLowerCase()
    .replace(SPECIAL_LETTER, (c) => SPECIAL[c]!)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');

/** Lower case without accents, to a fixed point (a compatibility form can be upper case: 𝕬 is A). */
export function fold(text: string): string {
  let out = foldOnce(text);
  for (let i = 0; i < 3; i++) {
    const again = foldOnce(out);
    if (again === out) break;
    out = again;
  }
  return out;
}

/** The distinct words of a customer's texts, folded (and umlauts also written out), in order of appearance. */
export function wordsOf(...texts: (string | null | undefined)[]): string[] {
  return collect(texts, true);
}

/** The words of a search text, folded: each must start one of a customer's words. */
export function queryWordsOf(q: string): string[] {
  return collect([q], false);
}

function collect(texts: (string | null | undefined)[], variants: boolean): string[] {
  const out = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    for (const raw of text.toLowerCase().normalize('NFC').match(WORD) ?? []) {
      for (const w of variants ? [raw, raw.replace(/[äöü]/g, (c) => UMLAUT[c]!)] : [raw]) {
        for (const folded of fold(w).match(WORD) ?? []) out.add([...folded].slice(0, MAX_WORD_LENGTH).join(''));
      }
      if (out.size >= MAX_WORDS) return [...out].slice(0, MAX_WORDS);
    }
  }
  return [...out];
}

/** The index partition of a word: its first two characters (code points), or its only one. */
export const partitionOf = (word: string) => [...word].slice(0, 2).join('');

/** The words as one text with a space before each and after the last: `contains(terms, " <prefix>")` is a prefix match. */
export const termsOf = (words: string[]) => (words.length ? ` ${words.join(' ')} ` : '');
