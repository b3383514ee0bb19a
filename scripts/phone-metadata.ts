// `npm run phone-metadata`: writes the phone-number metadata the functions bundle, derived from the
// installed libphonenumber-js, with only what our calls read (test/unit/phone-metadata.test.ts fails
// when the files are stale, and checks that the derived metadata decides every number as the full one).
//
// libphonenumber-js takes custom metadata through its `core` entry; its own generator needs Google's
// XML, so this trims the published JSON instead. Dropped: each country's formats (only formatting and
// as-you-type read them; we never format) and, for the callable check, every number type but fixed line
// and mobile (a number of another type is refused either way: shared/domain/phone-number.ts). Kept
// whole: calling codes, international and national prefixes, the rules for parsing national numbers,
// number patterns, possible lengths and leading digits. What it saves (`npm run bench`): the "max"
// metadata is 157 KB, "callable" 81 KB; "min" is 83 KB, "parsing" 34 KB. Each file is a module
// holding the JSON text (`serialise`).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

type Metadata = { countries: Record<string, unknown[]> } & Record<string, unknown>;

/** Where each part sits in a country's array (the package's metadata version 4). */
const FORMATS = 4;
const TYPES = 11;

/** The package's own metadata, as published (the tests compare the derived files with the full one). */
export const published = (variant: 'min' | 'max'): Metadata => JSON.parse(readFileSync(require.resolve(`libphonenumber-js/metadata.${variant}.json`), 'utf8')) as Metadata;

function trimmed(source: Metadata, keepTypes: number): Metadata {
  if (source.version !== 4) throw new Error(`libphonenumber-js metadata version ${String(source.version)}: this derivation reads version 4`);
  const countries = Object.fromEntries(
    Object.entries(source.countries).map(([country, entry]) => {
      const out = [...entry];
      if (out.length > FORMATS) out[FORMATS] = 0;
      if (keepTypes > 0 && Array.isArray(out[TYPES])) out[TYPES] = (out[TYPES] as unknown[]).slice(0, keepTypes);
      return [country, out];
    }),
  );
  return { ...source, countries };
}

/** The metadata of each file, as derived from the installed package. */
export function derivePhoneMetadata(): Record<'callable' | 'parsing', Metadata> {
  return {
    // Fixed line and mobile only: the types a callback may ring (types[0], types[1]).
    callable: trimmed(published('max'), 2),
    // No types: parsing to E.164 and reading a number's area.
    parsing: trimmed(published('min'), 0),
  };
}

export const PHONE_METADATA_FILES = {
  callable: fileURLToPath(new URL('../shared/model/phone-metadata.callable.ts', import.meta.url)),
  parsing: fileURLToPath(new URL('../shared/model/phone-metadata.parsing.ts', import.meta.url)),
} as const;

/**
 * A module whose default export is the metadata, held as JSON text for `JSON.parse`: V8 reads JSON
 * faster than the same data written as an object literal, which a bundled `.json` file becomes
 * (`npm run bench`: about 1 ms of the callback route's cold start for the callable file).
 */
export const serialise = (m: Metadata) => {
  const json = JSON.stringify(m);
  // A raw template holds the text as it is (no escapes: a quoted string would add ~9,000), which it
  // can while the text has no backtick and no `${`.
  if (json.includes('`') || json.includes('${')) throw new Error('the metadata holds a backtick or ${: it cannot be a raw template');
  return (
    '// Written by `npm run phone-metadata` (scripts/phone-metadata.ts) from the installed libphonenumber-js: do not edit.\n' +
    `export default /* @__PURE__ */ JSON.parse(String.raw\`${json}\`) as unknown;\n`
  );
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const derived = derivePhoneMetadata();
  for (const name of ['callable', 'parsing'] as const) {
    writeFileSync(PHONE_METADATA_FILES[name], serialise(derived[name]));
    console.log(`wrote ${PHONE_METADATA_FILES[name]} (${(serialise(derived[name]).length / 1024).toFixed(1)} KB)`);
  }
}
