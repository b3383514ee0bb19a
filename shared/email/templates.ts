// Every email the backend sends, in one place: subject, plain text and HTML, in German and English.
// Use cases pick a template and a language and add the envelope (to, reply-to, tags, variables).
//
// What people typed reaches an email in three ways only: in the subject as one validated line (the
// schemas' `line(max)` lets no control character through, so no header can be added), in the text
// part as it is, and in the HTML part escaped: the `html` tag below escapes every value it is given
// unless it is HTML this module built itself. No template puts user text into a link, an attribute
// or any other header.
//
// Emails to the team (the sales and support inboxes) are written in TEAM_LOCALE; emails to a sender
// in the language they asked for (DEFAULT_LOCALE unless their browser prefers one we have).
import { DEFAULT_LOCALE, isLocale, localeOr, type Locale } from '../model/locale';
import type { TicketPriority } from '../model/tickets';


export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

// --- HTML that escapes by default ----------------------------------------------------------------

/** HTML this module built: the `html` tag inserts it as it is. Anything else it escapes. */
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

const quote = (text: string) =>
  html`<div style="border-left:3px solid #d0d7de;padding:4px 0 4px 12px;margin:0 0 16px">${multiline(text)}</div>`;

// --- Languages ------------------------------------------------------------------------------------

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

const PRIORITY: Record<Locale, Record<TicketPriority, string>> = {
  de: { trivial: 'Trivial', minor: 'Niedrig', major: 'Hoch', critical: 'Kritisch', blocker: 'Blockierend' },
  en: { trivial: 'Trivial', minor: 'Minor', major: 'Major', critical: 'Critical', blocker: 'Blocker' },
};

const LANGUAGE: Record<Locale, Record<Locale, string>> = {
  de: { de: 'Deutsch', en: 'Englisch' },
  en: { de: 'German', en: 'English' },
};

// --- The emails -----------------------------------------------------------------------------------

export interface ContactRequestData {
  requestId: string;
  name: string;
  email: string;
  company?: string;
  message: string;
}

/** A contact form, to the sales inbox. */
export function contactRequestMail(locale: Locale, d: ContactRequestData): RenderedMail {
  const t = {
    de: { subject: 'Kontaktformular', name: 'Name', email: 'E-Mail', company: 'Firma', request: 'Anfrage', intro: 'Eine neue Anfrage über das Kontaktformular:' },
    en: { subject: 'Contact form', name: 'Name', email: 'Email', company: 'Company', request: 'Request', intro: 'A new request from the contact form:' },
  }[locale];
  const subject = `${t.subject}: ${d.name}${d.company ? ` (${d.company})` : ''}`;
  const f = fields([
    [t.name, d.name],
    [t.email, d.email],
    [t.company, d.company],
    [t.request, d.requestId],
  ]);
  return {
    subject,
    text: `${f.text}\n\n${d.message}`,
    html: document(locale, subject, html`<p>${t.intro}</p>${f.html}${quote(d.message)}`),
  };
}

export interface SupportTicketData {
  ticketNumber: string;
  email: string;
  title: string;
  content: string;
  ticketPriority: TicketPriority;
  /** The language the sender got their confirmation in. */
  locale: Locale;
  receivedAt: string;
}

/** A new support ticket, to the support inbox: the raw priority leads the subject, for filters. */
export function supportTicketMail(locale: Locale, d: SupportTicketData): RenderedMail {
  const t = {
    de: { ticket: 'Support-Ticket', priority: 'Priorität', from: 'Von', language: 'Sprache', received: 'Eingegangen', intro: 'Ein neues Support-Ticket:' },
    en: { ticket: 'Support ticket', priority: 'Priority', from: 'From', language: 'Language', received: 'Received', intro: 'A new support ticket:' },
  }[locale];
  const subject = `[${d.ticketPriority}] ${t.ticket} ${d.ticketNumber}: ${d.title}`;
  const f = fields([
    [t.ticket, d.ticketNumber],
    [t.priority, PRIORITY[locale][d.ticketPriority]],
    [t.from, d.email],
    [t.language, LANGUAGE[locale][d.locale]],
    [t.received, d.receivedAt],
  ]);
  return {
    subject,
    text: `${f.text}\n\n${d.title}\n\n${d.content}`,
    html: document(locale, subject, html`<p>${t.intro}</p>${f.html}<h2 style="font-size:17px;margin:0 0 8px">${d.title}</h2>${quote(d.content)}`),
  };
}

export interface TicketConfirmationData {
  ticketNumber: string;
  title: string;
  ticketPriority: TicketPriority;
}

/**
 * The confirmation to the sender of a ticket. It repeats the number, title and priority, not the
 * message: anyone can give any address on a public form, so what it sends a stranger stays short.
 */
export function ticketConfirmationMail(locale: Locale, d: TicketConfirmationData): RenderedMail {
  const t = {
    de: {
      subject: `Ihr Support-Ticket ${d.ticketNumber}`,
      hello: 'Guten Tag,',
      received: `vielen Dank für Ihre Nachricht. Wir haben Ihr Support-Ticket ${d.ticketNumber} erhalten und melden uns so bald wie möglich.`,
      ticket: 'Ticket',
      title: 'Betreff',
      priority: 'Priorität',
      reply: 'Wenn Sie etwas ergänzen möchten, antworten Sie einfach auf diese E-Mail und nennen Sie die Ticketnummer.',
      bye: 'Ihr Fonella-Support',
    },
    en: {
      subject: `Your support ticket ${d.ticketNumber}`,
      hello: 'Hello,',
      received: `thank you for your message. We have received your support ticket ${d.ticketNumber} and will get back to you as soon as we can.`,
      ticket: 'Ticket',
      title: 'Subject',
      priority: 'Priority',
      reply: 'To add anything, just reply to this email and mention the ticket number.',
      bye: 'Your Fonella support team',
    },
  }[locale];
  const f = fields([
    [t.ticket, d.ticketNumber],
    [t.title, d.title],
    [t.priority, PRIORITY[locale][d.ticketPriority]],
  ]);
  return {
    subject: t.subject,
    text: [t.hello, '', t.received, '', f.text, '', t.reply, '', t.bye].join('\n'),
    html: document(locale, t.subject, html`<p>${t.hello}</p><p>${t.received}</p>${f.html}<p>${t.reply}</p><p>${t.bye}</p>`),
  };
}

// --- Device sessions: the new-sign-in alert -------------------------------------------------------

export interface SignInAlertData {
  /** When the device signed in (ISO 8601). */
  signedInAt: string;
  /** The user's IANA time zone; an unknown one shows the time in UTC. */
  timeZone: string;
  /** The device as a person recognises it ("Chrome 131 on macOS"). */
  device: string;
}

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

/** To a user whose account was signed in on a device not seen before. */
export function signInAlertMail(locale: Locale, d: SignInAlertData): RenderedMail {
  const t = {
    de: {
      subject: 'Neue Anmeldung bei Ihrem Fonella-Konto',
      hello: 'Guten Tag,',
      intro: 'Ihr Fonella-Konto wurde auf einem Gerät angemeldet, das wir noch nicht kannten:',
      device: 'Gerät',
      time: 'Zeitpunkt',
      you: 'Wenn Sie das waren, ist nichts weiter zu tun.',
      notYou: 'Wenn nicht, ändern Sie bitte sofort Ihr Passwort und wenden Sie sich an den Fonella-Support.',
      bye: 'Ihr Fonella-Team',
    },
    en: {
      subject: 'New sign-in to your Fonella account',
      hello: 'Hello,',
      intro: 'Your Fonella account was signed in on a device we had not seen before:',
      device: 'Device',
      time: 'Time',
      you: 'If this was you, there is nothing to do.',
      notYou: 'If it was not, change your password right away and contact Fonella support.',
      bye: 'Your Fonella team',
    },
  }[locale];
  const f = fields([
    [t.device, d.device],
    [t.time, formatLocalTime(locale, d.signedInAt, d.timeZone)],
  ]);
  return {
    subject: t.subject,
    text: [t.hello, '', t.intro, '', f.text, '', t.you, t.notYou, '', t.bye].join('\n'),
    html: document(locale, t.subject, html`<p>${t.hello}</p><p>${t.intro}</p>${f.html}<p>${t.you} ${t.notYou}</p><p>${t.bye}</p>`),
  };
}

// --- Billing: a failed payment --------------------------------------------------------------------

export interface PaymentFailedData {
  /** Stripe's invoice id (in_...), for the customer's and support's reference. */
  invoiceId: string;
  /** What the invoice asked for, in the currency's smallest unit (cents), as Stripe gives it. */
  amountDue: number;
  /** ISO 4217 code, in any case (Stripe writes it in lower case). */
  currency: string;
  /** The plan's name; left out when it is not known. */
  planName?: string;
  /** When the payment failed (ISO 8601). */
  failedAt: string;
  /** The user's IANA time zone; an unknown one shows the time in UTC. */
  timeZone: string;
  /** The customer portal's base URL, without a trailing slash. */
  portalUrl: string;
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

/** To a customer whose subscription payment failed: what failed, and where to update the payment method. */
export function paymentFailedMail(locale: Locale, d: PaymentFailedData): RenderedMail {
  const t = {
    de: {
      subject: 'Zahlung fehlgeschlagen: Ihr Fonella-Abo',
      hello: 'Guten Tag,',
      intro: 'die Zahlung für Ihr Fonella-Abo ist leider fehlgeschlagen.',
      plan: 'Tarif',
      amount: 'Betrag',
      time: 'Zeitpunkt',
      invoice: 'Rechnung',
      action: 'Bitte aktualisieren Sie Ihre Zahlungsmethode im Kundenportal, damit Ihr Abo ohne Unterbrechung weiterläuft:',
      button: 'Zahlungsmethode aktualisieren',
      done: 'Wenn Sie Ihre Zahlungsmethode bereits aktualisiert haben, können Sie diese E-Mail ignorieren.',
      bye: 'Ihr Fonella-Team',
    },
    en: {
      subject: 'Payment failed: your Fonella subscription',
      hello: 'Hello,',
      intro: 'unfortunately, the payment for your Fonella subscription failed.',
      plan: 'Plan',
      amount: 'Amount',
      time: 'Time',
      invoice: 'Invoice',
      action: 'Please update your payment method in the customer portal so that your subscription continues without interruption:',
      button: 'Update payment method',
      done: 'If you have already updated your payment method, you can ignore this email.',
      bye: 'Your Fonella team',
    },
  }[locale];
  const link = `${d.portalUrl}/billing`;
  const f = fields([
    [t.plan, d.planName],
    [t.amount, formatAmount(locale, d.amountDue, d.currency)],
    [t.time, formatLocalTime(locale, d.failedAt, d.timeZone)],
    [t.invoice, d.invoiceId],
  ]);
  return {
    subject: t.subject,
    text: [t.hello, '', t.intro, '', f.text, '', t.action, link, '', t.done, '', t.bye].join('\n'),
    html: document(
      locale,
      t.subject,
      html`<p>${t.hello}</p><p>${t.intro}</p>${f.html}<p>${t.action}</p><p><a href="${link}" style="display:inline-block;padding:10px 16px;background:#1f6feb;color:#ffffff;border-radius:6px;text-decoration:none">${t.button}</a></p><p style="color:#6b7280;font-size:13px">${link}</p><p>${t.done}</p><p>${t.bye}</p>`,
    ),
  };
}

// --- Calls: the summary after each call -----------------------------------------------------------

export interface CallSummaryData {
  /** Vapi's summary of the call; null when it made none. */
  summary: string | null;
  /** The caller's number (E.164), when known. */
  callerNumber: string | null;
  startedAt: string;
  durationSeconds: number;
  /** The owner's IANA time zone; an unknown one shows the time in UTC. */
  timeZone: string;
  /** The call in the customer portal (<portal>/calls/<callId>): built by us from the portal URL and Vapi's call id, URL-encoded. */
  link: string;
}

const duration = (locale: Locale, seconds: number) => {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return locale === 'de' ? `${m} Min. ${s} Sek.` : `${m} min ${s} s`;
};

/** To the customer after a call their assistant took. */
export function callSummaryMail(locale: Locale, d: CallSummaryData): RenderedMail {
  const t = {
    de: {
      subject: `Neuer Anruf${d.callerNumber ? ` von ${d.callerNumber}` : ''}`,
      intro: 'Ihre Fonella-Assistenz hat einen Anruf angenommen:',
      caller: 'Anrufer',
      unknown: 'unbekannt',
      time: 'Beginn',
      length: 'Dauer',
      summary: 'Zusammenfassung',
      none: 'Für diesen Anruf liegt keine Zusammenfassung vor.',
      open: 'Anruf im Portal ansehen',
      bye: 'Ihr Fonella-Team',
    },
    en: {
      subject: `New call${d.callerNumber ? ` from ${d.callerNumber}` : ''}`,
      intro: 'Your Fonella assistant took a call:',
      caller: 'Caller',
      unknown: 'unknown',
      time: 'Started',
      length: 'Duration',
      summary: 'Summary',
      none: 'There is no summary for this call.',
      open: 'View the call in the portal',
      bye: 'Your Fonella team',
    },
  }[locale];
  const f = fields([
    [t.caller, d.callerNumber ?? t.unknown],
    [t.time, formatLocalTime(locale, d.startedAt, d.timeZone)],
    [t.length, duration(locale, d.durationSeconds)],
  ]);
  const summary = d.summary ?? t.none;
  return {
    subject: t.subject,
    text: [t.intro, '', f.text, '', `${t.summary}:`, summary, '', `${t.open}: ${d.link}`, '', t.bye].join('\n'),
    html: document(
      locale,
      t.subject,
      html`<p>${t.intro}</p>${f.html}<h2 style="font-size:17px;margin:16px 0 8px">${t.summary}</h2>${quote(summary)}<p><a href="${d.link}" style="display:inline-block;padding:10px 16px;background:#1f6feb;color:#ffffff;border-radius:6px;text-decoration:none">${t.open}</a></p><p style="color:#6b7280;font-size:13px">${d.link}</p><p>${t.bye}</p>`,
    ),
  };
}

// --- Calls: a customer reports a call for review --------------------------------------------------

export interface CallReportData {
  reportId: string;
  /** The reported call's id (a stored call's, matching the request schema's pattern). */
  callId: string;
  callStartedAt: string;
  /** The language the report is written in. */
  locale: Locale;
  /** The reporter's user id (Auth0 sub). */
  reporterId: string;
  /** The reporter's address, when one is known. */
  reporterEmail: string | null;
  description: string;
  reportedAt: string;
  /** The call in the customer portal (<portal>/calls/<callId>): built by us from the portal URL and the call id, URL-encoded. */
  link: string;
}

/** A customer's report of a call for review (Microsoft Store policy 11.16), to the review inbox. */
export function callReportMail(locale: Locale, d: CallReportData): RenderedMail {
  const t = {
    de: {
      subject: `Anruf zur Prüfung gemeldet: ${d.callId}`,
      intro: 'Ein Kunde hat einen Anruf zur Prüfung gemeldet (Microsoft Store Policy 11.16):',
      call: 'Anruf',
      started: 'Beginn',
      reporter: 'Gemeldet von',
      noEmail: 'keine E-Mail-Adresse bekannt',
      user: 'Nutzer',
      language: 'Sprache',
      report: 'Meldung',
      reported: 'Gemeldet',
      description: 'Beschreibung',
      open: 'Anruf im Portal ansehen',
    },
    en: {
      subject: `Call reported for review: ${d.callId}`,
      intro: 'A customer reported a call for review (Microsoft Store policy 11.16):',
      call: 'Call',
      started: 'Started',
      reporter: 'Reported by',
      noEmail: 'no email address known',
      user: 'User',
      language: 'Language',
      report: 'Report',
      reported: 'Reported',
      description: 'Description',
      open: 'View the call in the portal',
    },
  }[locale];
  const f = fields([
    [t.call, d.callId],
    [t.started, d.callStartedAt],
    [t.reporter, d.reporterEmail ?? t.noEmail],
    [t.user, d.reporterId],
    [t.language, LANGUAGE[locale][d.locale]],
    [t.report, d.reportId],
    [t.reported, d.reportedAt],
  ]);
  return {
    subject: t.subject,
    text: [t.intro, '', f.text, '', `${t.description}:`, d.description, '', `${t.open}: ${d.link}`].join('\n'),
    html: document(
      locale,
      t.subject,
      html`<p>${t.intro}</p>${f.html}<h2 style="font-size:17px;margin:16px 0 8px">${t.description}</h2>${quote(d.description)}<p><a href="${d.link}" style="display:inline-block;padding:10px 16px;background:#1f6feb;color:#ffffff;border-radius:6px;text-decoration:none">${t.open}</a></p><p style="color:#6b7280;font-size:13px">${d.link}</p>`,
    ),
  };
}

// --- Account deletion -----------------------------------------------------------------------------

/** To a user whose account was deleted, once everything of it is removed. */
export function accountDeletedMail(locale: Locale): RenderedMail {
  const t = {
    de: {
      subject: 'Ihr Fonella-Konto wurde gelöscht',
      hello: 'Guten Tag,',
      intro: 'Ihr Fonella-Konto ist gelöscht: Ihr Assistent, Ihre Rufnummern und Leitungen, Ihre Anrufe und Einstellungen sowie Ihr Login gibt es nicht mehr. Ihr Abonnement ist beendet.',
      kept: 'Rechnungen bewahren wir auf, solange das Gesetz es verlangt.',
      bye: 'Ihr Fonella-Team',
    },
    en: {
      subject: 'Your Fonella account has been deleted',
      hello: 'Hello,',
      intro: 'Your Fonella account is deleted: your assistant, your numbers and lines, your calls and settings and your login are gone. Your subscription has ended.',
      kept: 'We keep invoices for as long as the law requires.',
      bye: 'Your Fonella team',
    },
  }[locale];
  return {
    subject: t.subject,
    text: [t.hello, '', t.intro, '', t.kept, '', t.bye].join('\n'),
    html: document(locale, t.subject, html`<p>${t.hello}</p><p>${t.intro}</p><p>${t.kept}</p><p>${t.bye}</p>`),
  };
}
