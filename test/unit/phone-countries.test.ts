import { getCountries, isSupportedCountry } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { PHONE_COUNTRIES, hasNumberingPlan } from '../../shared/model/phone-countries';

describe('the countries with a numbering plan', () => {
  it('are those of the installed libphonenumber-js', () => {
    expect(PHONE_COUNTRIES).toEqual([...getCountries()].sort());
  });

  it('answer as isSupportedCountry does, for every two-letter code', () => {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const differ = [...letters].flatMap((a) => [...letters].map((b) => a + b)).filter((c) => hasNumberingPlan(c) !== isSupportedCountry(c));
    expect(differ).toEqual([]);
    expect(hasNumberingPlan('de')).toBe(false);
  });
});
