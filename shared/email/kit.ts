// The kit every email template is built with: the rendered mail's shape, HTML that escapes by
// default, the page layout, label-and-value rows, a quoted message, and the vocabulary more than one
// template shows (times, amounts, ticket priorities), in German and English.
//
// What people typed reaches an email in three ways only: in the subject as one validated line (the
// schemas' `line(max)` lets no control character through, so no header can be added), in the text
// part as it is, and in the HTML part escaped: the `html` tag below escapes every value it is given
// unless it is HTML the tag or this kit built. No template puts user text into a link, an attribute
// or any other header.
import type { Locale } from '../model/locale';
import type { TicketPriority } from '../model/tickets';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

// --- HTML that escapes by default ----------------------------------------------------------------

/** HTML the `html` tag or this kit built: the tag inserts it as it is. Anything else it escapes. */
class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML: the five characters that can open markup or leave an attribute become entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

type HtmlValue = string | number | SafeHtml | undefined | false | HtmlValue[];

const part = (v: HtmlValue): string =>
  v === undefined || v === false ? '' : v instanceof SafeHtml ? v.value : Array.isArray(v) ? v.map(part).join('') : escapeHtml(String(v));

/** A template literal tag: the literal parts are ours, every interpolated value is escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, s, i) => out + s + (i < values.length ? part(values[i]!) : ''), ''));
}

/** Text over several lines (a message): escaped, its line breaks kept. */
const multiline = (text: string) => new SafeHtml(escapeHtml(text).replace(/\r?\n/g, '<br>\n'));

export function document(locale: Locale, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f6f7f9;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2328">
<div style="max-width:600px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">
${body}
<p style="margin:24px 0 0;color:#6b7280;font-size:12px">Fonella</p>
</div>
</body>
</html>
`.value;
}

/** Label and value rows: plain text lines and an HTML table from the same list. */
export function fields(rows: [label: string, value: string | undefined][]): { text: string; html: SafeHtml } {
  const present = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  return {
    text: present.map(([k, v]) => `${k}: ${v}`).join('\n'),
    html: html`<table style="border-collapse:collapse;margin:0 0 16px">${present.map(
      ([k, v]) => html`<tr><td style="padding:2px 16px 2px 0;color:#6b7280;vertical-align:top">${k}</td><td style="padding:2px 0">${v}</td></tr>`,
    )}</table>`,
  };
}

/** A message over several lines, set off as a quote: escaped, its line breaks kept. */
export const quote = (text: string) =>
  html`<div style="border-left:3px solid #d0d7de;padding:4px 0 4px 12px;margin:0 0 16px">${multiline(text)}</div>`;

// --- Vocabulary -----------------------------------------------------------------------------------

const DATE_TIME_LOCALE: Record<Locale, string> = { de: 'de-DE', en: 'en-US' };

/** An instant in a time zone, for a reader of `locale`: "25.11.2026, 14:03 (Europe/Berlin)". */
export function formatLocalTime(locale: Locale, iso: string, timeZone: string): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat(DATE_TIME_LOCALE[locale], { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(iso));
  try {
    return `${format(timeZone)} (${timeZone})`;
  } catch {
    return `${format('UTC')} (UTC)`;
  }
}

/**
 * An amount in a currency's smallest unit, for a reader of `locale`: "79,00 €", "€79.00". The unit's
 * size is the currency's own (2 digits for EUR, none for JPY); a code the runtime does not know
 * shows the amount with the code after it.
 */
export function formatAmount(locale: Locale, minorUnits: number, currency: string): string {
  const code = currency.toUpperCase();
  try {
    const format = new Intl.NumberFormat(DATE_TIME_LOCALE[locale], { style: 'currency', currency: code });
    return format.format(minorUnits / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${(minorUnits / 100).toFixed(2)} ${code}`;
  }
}

/** A ticket priority as a reader of each language names it. */
export const PRIORITY: Record<Locale, Record<TicketPriority, string>> = {
  de: { trivial: 'Trivial', minor: 'Niedrig', major: 'Hoch', critical: 'Kritisch', blocker: 'Blockierend' },
  en: { trivial: 'Trivial', minor: 'Minor', major: 'Major', critical: 'Critical', blocker: 'Blocker' },
};
