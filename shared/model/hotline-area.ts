// The area a hotline number serves: a country (its calling code) and an area code. Area codes are
// kept without the national trunk prefix: `030` (as Germans write it, and Sipgate's `localized`
// form) and `30` (as it follows +49) are one area, `30`. Every key, filter and comparison goes through
// `normalizeAreaCode`, so the two spellings never name two areas.

export interface HotlineArea {
  /** The country calling code, digits only: `49`. */
  countryCode: string;
  /** The area code without leading zeros: `30`, `221`. */
  areaCode: string;
}

/** An area code as given (`030`, `30`, `0221`) in the form every key and comparison uses (`30`, `221`). */
export const normalizeAreaCode = (areaCode: string): string => areaCode.trim().replace(/^0+/, '');

/** How the area reads to a person: `+49 30 (030)`. */
export const areaLabel = (area: HotlineArea): string => `+${area.countryCode} ${area.areaCode} (0${area.areaCode})`;
