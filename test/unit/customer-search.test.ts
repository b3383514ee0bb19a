// The words a customer is found by (shared/domain/customer-search.ts): folded the same way as a search
// text, so that every start of every word finds it, in any case and with or without accents.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_WORD_LENGTH, fold, partitionOf, queryWordsOf, termsOf, wordsOf } from '../../shared/domain/customer-search';

const found = (q: string, ...texts: string[]) => {
  const terms = termsOf(wordsOf(...texts));
  const words = queryWordsOf(q);
  return words.length > 0 && words.every((w) => terms.includes(` ${w}`));
};

describe('customer search words', () => {
  it('splits email, name and company into folded words, umlauts also written out', () => {
    expect(wordsOf('j.mueller@beispiel.de', 'Jürgen Müller', 'Çelik İnşaat A.Ş.')).toEqual([
      'j', 'mueller', 'beispiel', 'de', 'jurgen', 'juergen', 'muller', 'celik', 'insaat', 'a', 's',
    ]);
    expect(wordsOf('Ελένη Παπαδοπούλου', 'Straße Øresund Łódź')).toEqual(['ελενη', 'παπαδοπουλου', 'strasse', 'oresund', 'lodz']);
  });

  it.each([
    ['mül', 'Jürgen Müller'],
    ['MUELLER', 'Jürgen Müller'],
    ['muller', 'Jürgen Müller'],
    ['çel', 'Ayşe Çelik'],
    ['CELİK', 'Ayşe Çelik'],
    ['ΕΛΕ', 'Ελένη'],
    ['max.mu', 'max.mustermann@example.com'],
    ['strasse', 'Straße'],
  ])('%j finds %j', (q, text) => expect(found(q, text)).toBe(true));

  it.each([
    ['ller', 'Jürgen Müller'],
    ['mueller', 'Pierre Muller'],
    ['müller x', 'Jürgen Müller'],
  ])('%j does not find %j', (q, text) => expect(found(q, text)).toBe(false));

  it('every start of every word of any text finds it, in upper case too', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.nat(), fc.nat(), (text, wi, len) => {
        const words = queryWordsOf(text);
        fc.pre(words.length > 0);
        // Within what is indexed: the first MAX_WORDS words (an umlaut's spelling takes a place), MAX_WORD_LENGTH letters each.
        const word = words[wi % Math.min(8, words.length)]!;
        const prefix = [...word].slice(0, 1 + (len % Math.min(MAX_WORD_LENGTH, [...word].length))).join('');
        expect(found(prefix, text)).toBe(true);
        expect(found(prefix.toUpperCase(), text) || queryWordsOf(prefix.toUpperCase()).join() !== prefix).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('folding is idempotent and partitions are two characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(fold(fold(s))).toBe(fold(s));
      }),
    );
    expect(partitionOf('müller')).toBe('mü');
    expect(partitionOf('ελενη')).toBe('ελ');
    expect(partitionOf('a')).toBe('a');
  });
});
