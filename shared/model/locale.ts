// The languages the backend writes in (emails, the settings a customer picks), and the one rule for
// a stored or asked-for language we do not have: German.
export const LOCALES = ['de', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
/** The language of a sender who asked for none we have. */
export const DEFAULT_LOCALE: Locale = 'de';
/** The language of the emails to Fonella's own inboxes. */
export const TEAM_LOCALE: Locale = 'en';

export const isLocale = (value: unknown): value is Locale => (LOCALES as readonly unknown[]).includes(value);

/** `value` when it is a language we write in, else DEFAULT_LOCALE. */
export const localeOr = (value: string | null | undefined): Locale => (isLocale(value) ? value : DEFAULT_LOCALE);
