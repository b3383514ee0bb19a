// The language an email to a sender is written in: the one their browser asks for, when we have it.
// Emails to the team (the sales, support and review inboxes) are written in TEAM_LOCALE
// (shared/model/locale.ts); emails to a customer in the language of their settings.
import { DEFAULT_LOCALE, isLocale, localeOr, type Locale } from '../model/locale';

/**
 * The language for a sender, from their `Accept-Language` header: the first of our languages in the
 * order of their preference (q values), DEFAULT_LOCALE when none is listed or the header is absent.
 */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  if (!header) return DEFAULT_LOCALE;
  const ranges = header
    .slice(0, 1000)
    .split(',')
    .map((entry, index) => {
      const [tag = '', ...params] = entry.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { language: tag.trim().toLowerCase().split('-')[0]!, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return localeOr(ranges.find((r) => isLocale(r.language))?.language);
}
