// The emails to Fonella's own inboxes: a contact request to sales, a new support ticket to support,
// a reported call to the review inbox, an area without free hotline numbers to support. Their callers write them in TEAM_LOCALE
// (shared/model/locale.ts).
import type { Locale } from '../model/locale';
import type { TicketPriority } from '../model/tickets';
import { PRIORITY, document, fields, html, quote, type RenderedMail } from './kit';

/** The sender's or reporter's language, as a reader of each language names it. */
const LANGUAGE: Record<Locale, Record<Locale, string>> = {
  de: { de: 'Deutsch', en: 'Englisch' },
  en: { de: 'German', en: 'English' },
};

// --- Sales: the contact form ---------------------------------------------------------------------

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

// --- Support: a new ticket -----------------------------------------------------------------------

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

// --- Hotlines: an area without a free number --------------------------------------------------------

export interface HotlineNumbersWantedData {
  /** The area as a person reads it: `+49 30 (030)`. */
  area: string;
  /** How many hotlines wait there as the email is written. */
  waiting: number;
  /** When the first of them started waiting. */
  since: string;
}

/** Hotlines wait for a local number in an area where the pool has none free: what the admins do about it. */
export function hotlineNumbersWantedMail(locale: Locale, d: HotlineNumbersWantedData): RenderedMail {
  const t = {
    de: {
      subject: `Keine freie Hotline-Nummer in der Vorwahl ${d.area}`,
      intro: 'Neue Hotlines warten auf eine lokale Nummer in einer Vorwahl, für die der Nummernpool keine freie Nummer hat:',
      area: 'Vorwahl',
      waiting: 'Wartende Hotlines',
      since: 'Wartet seit',
      todo: `Kaufe bei Sipgate eine Nummer in dieser Vorwahl, leite sie auf das Hotline-Trunk-Gerät (SIPGATE_HOTLINE_TRUNK_DEVICE_ID) und importiere sie mit POST /v1/admin/hotline-numbers: die wartenden Hotlines bekommen die Nummern in der Reihenfolge, in der sie angelegt wurden. Diese E-Mail kommt einmal je Vorwahl, solange dort Hotlines warten.`,
    },
    en: {
      subject: `No free hotline number in area code ${d.area}`,
      intro: 'New hotlines are waiting for a local number in an area code where the number pool has none free:',
      area: 'Area code',
      waiting: 'Hotlines waiting',
      since: 'Waiting since',
      todo: `Buy a number with this area code at Sipgate, route it to the hotline trunk device (SIPGATE_HOTLINE_TRUNK_DEVICE_ID), and import it with POST /v1/admin/hotline-numbers: the waiting hotlines get numbers in the order they were created. This email comes once per area code while hotlines wait there.`,
    },
  }[locale];
  const f = fields([
    [t.area, d.area],
    [t.waiting, String(d.waiting)],
    [t.since, d.since],
  ]);
  return {
    subject: t.subject,
    text: [t.intro, '', f.text, '', t.todo].join('\n'),
    html: document(locale, t.subject, html`<p>${t.intro}</p>${f.html}<p>${t.todo}</p>`),
  };
}
