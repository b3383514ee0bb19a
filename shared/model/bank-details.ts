// Checks and masking of a partner's bank and billing details. ibantools checks an IBAN (country,
// length, BBAN format, check digits) and a BIC (format, country); jsvat checks an EU VAT id's format
// and check digits for its country. What stays here is what no library keeps: the ISO 3166-1 list
// (the runtime's region names also know codes that are not countries, such as EU or XK) and the mask.
import { electronicFormatIBAN, extractBIC, isValidBIC, validateIBAN } from 'ibantools';
import { austria, belgium, bulgaria, checkVAT, croatia, cyprus, czechRepublic, denmark, estonia, finland, france, germany, greece, hungary, ireland, italy, latvia, lithuania, luxembourg, malta, netherlands, poland, portugal, romania, slovakiaRepublic, slovenia, spain, sweden } from 'jsvat';

/** ISO 3166-1 alpha-2: the 249 officially assigned codes. */
const ISO_COUNTRIES = new Set(
  ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS ' +
    'BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE ' +
    'EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM ' +
    'HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC ' +
    'LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA ' +
    'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO ' +
    'TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW').split(' '),
);

export const isCountryCode = (code: string) => ISO_COUNTRIES.has(code);

/** The EU's member states by ISO code, with jsvat's rules for their VAT ids (Greece's prefix is EL). */
const EU_VAT = {
  AT: austria, BE: belgium, BG: bulgaria, HR: croatia, CY: cyprus, CZ: czechRepublic, DK: denmark, EE: estonia,
  FI: finland, FR: france, DE: germany, GR: greece, HU: hungary, IE: ireland, IT: italy, LV: latvia,
  LT: lithuania, LU: luxembourg, MT: malta, NL: netherlands, PL: poland, PT: portugal, RO: romania,
  SK: slovakiaRepublic, SI: slovenia, ES: spain, SE: sweden,
} as const;

export const isEuCountry = (code: string): code is keyof typeof EU_VAT => Object.hasOwn(EU_VAT, code);

/** The IBAN as stored: upper case, no spaces. */
export const normalizeIban = (iban: string) => electronicFormatIBAN(iban) ?? '';

export const isValidIban = (iban: string) => validateIBAN(normalizeIban(iban)).valid;

/** A BIC of 8 or 11 characters with a real country code. */
export const isValidBic = (bic: string) => isValidBIC(bic.replace(/\s+/g, '').toUpperCase());

/** The BIC's country (its characters 5 and 6), for the check against the IBAN's. */
export const bicCountry = (bic: string) => extractBIC(bic.replace(/\s+/g, '').toUpperCase()).countryCode;

/**
 * Whether a bank with this BIC may keep an account of this IBAN country: the same country, or one of
 * the SEPA states whose banks carry a neighbour's BIC (Monaco, San Marino, the Vatican).
 */
export const bicFitsIbanCountry = (bic: string, ibanCountry: string) => bicCountry(bic) === ibanCountry || ['MC', 'SM', 'VA'].includes(ibanCountry);

/** The country of an IBAN, also of a masked one (`DE89 ****…`): its first two letters. */
export const ibanCountry = (iban: string) => iban.replace(/\s+/g, '').slice(0, 2).toUpperCase();

/**
 * Whether `vatId` is a valid VAT id of the EU member state `country`, with or without its prefix.
 * For a country outside the EU nothing is checked here (undefined).
 */
export function isValidEuVatId(vatId: string, country: string): boolean | undefined {
  if (!isEuCountry(country)) return undefined;
  const rules = EU_VAT[country];
  const compact = vatId.replace(/[\s.-]+/g, '').toUpperCase();
  const prefix = country === 'GR' ? 'EL' : country;
  return checkVAT(compact.startsWith(prefix) ? compact : `${prefix}${compact}`, [rules]).isValid;
}

/**
 * The IBAN as responses and logs show it: country and check digits, the last four characters, the
 * rest starred, in groups of four (`DE89 **** **** **** **30 00`).
 */
export function maskIban(iban: string): string {
  const s = normalizeIban(iban);
  if (s.length < 9) return '*'.repeat(s.length);
  const masked = s.slice(0, 4) + '*'.repeat(s.length - 8) + s.slice(-4);
  return masked.replace(/(.{4})(?=.)/g, '$1 ');
}

/** The account holder as responses show it: the first letter of each word. */
export const maskName = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `${[...w][0]}${'*'.repeat(Math.max(0, [...w].length - 1))}`)
    .join(' ');
