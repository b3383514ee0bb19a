// Phone numbers people type on the marketing site: parsed with libphonenumber-js and the number types
// of its full ("max") metadata, which tell a mobile or fixed-line number from a premium-rate,
// shared-cost or short one: of those types only fixed line and mobile are kept (a number of any other
// is refused either way), and no formats (scripts/phone-metadata.ts). Numbers without a leading + are
// read as German.
import { parsePhoneNumberFromString } from 'libphonenumber-js/core';
import { CALLABLE_PHONE_METADATA as METADATA } from '../model/phone-metadata';

/** The region a number without a country code is read in. */
export const DEFAULT_PHONE_REGION = 'DE';

/** The kinds of number a callback may ring: a person's phone, never a paid or special service. */
const CALLABLE_TYPES = new Set(['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE']);

/** The number in E.164 when it is a valid mobile or fixed-line number; undefined otherwise. */
export function callableE164(input: string): string | undefined {
  const parsed = parsePhoneNumberFromString(input.trim(), { defaultCountry: DEFAULT_PHONE_REGION }, METADATA);
  if (!parsed?.isValid()) return undefined;
  const type = parsed.getType();
  return type !== undefined && CALLABLE_TYPES.has(type) ? parsed.number : undefined;
}
