// The trimmed phone metadata the functions bundle (scripts/phone-metadata.ts): current with the installed
// libphonenumber-js, and deciding every number as the package's full metadata does, for what we ask of
// it: whether a callback may ring a number (and its E.164), and a number's E.164, national part and
// calling code.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString as parseMax } from 'libphonenumber-js/max';
import { parsePhoneNumberFromString as parseMin, parsePhoneNumberWithError as parseMinWithError, getCountryCallingCode as callingCodeMin } from 'libphonenumber-js/min';
import { getCountryCallingCode as callingCodeCore, parsePhoneNumberFromString as parseCore, parsePhoneNumberWithError as parseCoreWithError } from 'libphonenumber-js/core';
import { describe, expect, it } from 'vitest';
import { PHONE_METADATA_FILES, derivePhoneMetadata, published, serialise } from '../../scripts/phone-metadata';
import { DEFAULT_PHONE_REGION, callableE164 } from '../../shared/domain/phone-number';
import { PARSING_PHONE_METADATA as PARSING } from '../../shared/model/phone-metadata';

const CALLABLE_TYPES = new Set(['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE']);

/** callableE164 as it was, with the package's full metadata. */
function callableWithFullMetadata(input: string): string | undefined {
  const parsed = parseMax(input.trim(), { defaultCountry: DEFAULT_PHONE_REGION });
  if (!parsed?.isValid()) return undefined;
  const type = parsed.getType();
  return type !== undefined && CALLABLE_TYPES.has(type) ? parsed.number : undefined;
}

const callingCodes = [...new Set(getCountries().map((c) => getCountryCallingCode(c)))];

/** Every number-type pattern of every country in the full metadata, with its calling code. */
const fullMetadata = published('max') as unknown as { countries: Record<string, [string, ...unknown[]]> };
const typePatterns = Object.values(fullMetadata.countries).flatMap(([cc, ...rest]) =>
  ((rest[10] as ([string] | 0)[] | 0 | undefined) || []).flatMap((t) => (t && typeof t[0] === 'string' && t[0] ? [{ cc, pattern: new RegExp(`^(?:${t[0]})$`) }] : [])),
);

/** National numbers of every type of every country (a premium-rate number of a country that shares its calling code, too), as +<calling code>. */
const typedNumbers = fc.constantFrom(...typePatterns).chain(({ cc, pattern }) => fc.stringMatching(pattern).map((national) => `+${cc}${national}`));

/** What people type: +<calling code> and digits, a national number with its trunk 0, or digits alone, sometimes spaced. */
const numbers = fc.oneof(
  fc.tuple(fc.constantFrom(...callingCodes), fc.stringMatching(/^[0-9]{3,13}$/)).map(([cc, rest]) => `+${cc}${rest}`),
  fc.stringMatching(/^0[1-9][0-9]{3,12}$/),
  fc.stringMatching(/^[1-9][0-9]{3,12}$/),
  fc.tuple(fc.constantFrom('+49 ', '+43 ', '+41 ', '0', '+1 ', '+44 '), fc.stringMatching(/^[1-9][0-9]{1,4}$/), fc.stringMatching(/^[0-9]{3,9}$/)).map(([a, b, c]) => `${a}${b} ${c}`),
);

describe('the trimmed phone metadata', () => {
  it('is what scripts/phone-metadata.ts derives from the installed libphonenumber-js (else: npm run phone-metadata)', () => {
    const derived = derivePhoneMetadata();
    for (const name of ['callable', 'parsing'] as const) expect(readFileSync(PHONE_METADATA_FILES[name], 'utf8') === serialise(derived[name]), name).toBe(true);
  });

  it('lets a callback ring exactly the numbers the full metadata does, with the same E.164', () => {
    let callable = 0;
    fc.assert(
      fc.property(numbers, (input) => {
        const expected = callableWithFullMetadata(input);
        if (expected) callable++;
        expect(callableE164(input)).toBe(expected);
      }),
      { numRuns: 8_000 },
    );
    // The comparison means something only if many inputs are numbers a callback may ring.
    expect(callable).toBeGreaterThan(800);
  });

  it('decides numbers drawn from every number type of every country as the full metadata does', () => {
    expect(typePatterns.length).toBeGreaterThan(1000);
    fc.assert(
      fc.property(typedNumbers, (input) => {
        expect(callableE164(input)).toBe(callableWithFullMetadata(input));
        expect(parseCore(input, PARSING)?.number).toBe(parseMin(input)?.number);
      }),
      { numRuns: 8_000 },
    );
  });

  it('refuses what the full metadata calls premium-rate, toll-free or shared-cost, and takes German landlines and mobiles', () => {
    for (const n of ['+4990012345678', '+498001234567', '+4918012345678', '+18005551234']) expect(callableE164(n), n).toBeUndefined();
    expect(callableE164('030 1234567')).toBe('+49301234567');
    expect(callableE164('+49 151 23456789')).toBe('+4915123456789');
    expect(callableE164('+43 1 5123456')).toBe('+4315123456');
  });

  it("reads every number's E.164, national part and calling code as the package's min metadata does", () => {
    fc.assert(
      fc.property(numbers, (input) => {
        const [a, b] = [parseMin(input), parseCore(input, PARSING)];
        expect(b?.number).toBe(a?.number);
        expect(b?.nationalNumber).toBe(a?.nationalNumber);
        expect(b?.countryCallingCode).toBe(a?.countryCallingCode);
        const withDe = (parse: () => { number: string }) => {
          try {
            return parse().number;
          } catch (err) {
            return `error ${(err as Error).message}`;
          }
        };
        expect(withDe(() => parseCoreWithError(input, 'DE', PARSING))).toBe(withDe(() => parseMinWithError(input, 'DE')));
      }),
      { numRuns: 8_000 },
    );
    for (const country of getCountries()) expect(callingCodeCore(country, PARSING), country).toBe(callingCodeMin(country));
  });
});
