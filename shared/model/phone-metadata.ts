// The phone-number metadata the functions read, typed for libphonenumber-js's `core` entry: derived from
// the installed package by `npm run phone-metadata` (scripts/phone-metadata.ts), which says what each
// file keeps. Each function bundles only the file it imports.
import type { MetadataJson } from 'libphonenumber-js/core';
import callable from './phone-metadata.callable';
import parsing from './phone-metadata.parsing';

/** Calling codes and number rules with the fixed-line and mobile types: whether a callback may ring a number. */
export const CALLABLE_PHONE_METADATA = callable as unknown as MetadataJson;

/** Calling codes and number rules without types: a number's E.164, national part and calling code. */
export const PARSING_PHONE_METADATA = parsing as unknown as MetadataJson;
