// The email templates: user text is escaped in HTML (and kept as typed in the text part), every
// template speaks German and English, and a sender's language comes from Accept-Language.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCALE, LOCALES, type Locale } from '../../shared/model/locale';
import { numberKeptMail, numberReleaseMail, paymentFailedMail } from '../../shared/email/customer';
import { escapeHtml, formatAmount, type RenderedMail } from '../../shared/email/kit';
import { localeFromAcceptLanguage } from '../../shared/email/language';
import { ticketConfirmationMail } from '../../shared/email/sender';
import { callReportMail, contactRequestMail, hotlineNumbersWantedMail, supportTicketMail } from '../../shared/email/team';

const HOSTILE = `<script>alert("x")</script><img src=x onerror='alert(1)'> & "quotes"`;

const ticket = {
  ticketNumber: 'FON-7K3M2Q',
  email: 'grace@example.com',
  title: HOSTILE,
  content: `Line one ${HOSTILE}\nLine two`,
  ticketPriority: 'critical' as const,
  locale: 'en' as const,
  receivedAt: '2026-11-25T10:00:00.000Z',
};
const contact = { requestId: 'r-1', name: HOSTILE, email: 'ada@example.com', company: HOSTILE, message: `Hello\n${HOSTILE}` };

const every = (locale: Locale): [string, RenderedMail][] => [
  ['contact request', contactRequestMail(locale, contact)],
  ['support ticket', supportTicketMail(locale, ticket)],
  ['ticket confirmation', ticketConfirmationMail(locale, ticket)],
];

describe('escapeHtml', () => {
  it('turns every character that can open markup or leave an attribute into an entity', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('Grüße, 你好 🙂')).toBe('Grüße, 你好 🙂');
  });
});

describe.each(LOCALES)('every template in %s', (locale) => {
  it.each(every(locale))('%s: user text is escaped in the HTML, kept as typed in the text', (_name, mail) => {
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toMatch(/onerror='/);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(mail.html).toMatch(/^<!doctype html>\n<html lang="(de|en)">/);
    expect(mail.html).toContain(`<html lang="${locale}">`);
    expect(mail.text).toContain(HOSTILE);
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });
});

describe('both languages', () => {
  it('the contact email: the subject the sales inbox filters on, and labels per language', () => {
    const plain = { ...contact, name: 'Ada Lovelace', company: 'Engines Ltd', message: 'Please call me.\nThanks' };
    expect(contactRequestMail('en', plain).subject).toBe('Contact form: Ada Lovelace (Engines Ltd)');
    expect(contactRequestMail('de', plain).subject).toBe('Kontaktformular: Ada Lovelace (Engines Ltd)');
    expect(contactRequestMail('en', { ...plain, company: undefined }).subject).toBe('Contact form: Ada Lovelace');
    expect(contactRequestMail('en', plain).text).toBe('Name: Ada Lovelace\nEmail: ada@example.com\nCompany: Engines Ltd\nRequest: r-1\n\nPlease call me.\nThanks');
    expect(contactRequestMail('de', plain).text).toContain('E-Mail: ada@example.com\nFirma: Engines Ltd\nAnfrage: r-1');
    expect(contactRequestMail('en', plain).html).toContain('Please call me.<br>\nThanks');
  });

  it('the support ticket: the raw priority leads the subject in both', () => {
    const plain = { ...ticket, title: 'No calls since 9:00' };
    expect(supportTicketMail('en', plain).subject).toBe('[critical] Support ticket FON-7K3M2Q: No calls since 9:00');
    expect(supportTicketMail('de', plain).subject).toBe('[critical] Support-Ticket FON-7K3M2Q: No calls since 9:00');
    expect(supportTicketMail('en', plain).text).toContain('Priority: Critical\nFrom: grace@example.com\nLanguage: English');
    expect(supportTicketMail('de', plain).text).toContain('Priorität: Kritisch\nVon: grace@example.com\nSprache: Englisch');
  });

  it('the confirmation: German and English wording, the number, title and priority, not the message', () => {
    const de = ticketConfirmationMail('de', ticket);
    const en = ticketConfirmationMail('en', ticket);
    expect(de.subject).toBe('Ihr Support-Ticket FON-7K3M2Q');
    expect(en.subject).toBe('Your support ticket FON-7K3M2Q');
    expect(de.text).toMatch(/^Guten Tag,\n\nvielen Dank für Ihre Nachricht\. Wir haben Ihr Support-Ticket FON-7K3M2Q erhalten/);
    expect(de.text).toContain('Priorität: Kritisch');
    expect(en.text).toMatch(/^Hello,\n\nthank you for your message\. We have received your support ticket FON-7K3M2Q/);
    expect(en.text).toContain('Priority: Critical');
    for (const mail of [de, en]) {
      expect(mail.text).toContain(HOSTILE);
      expect(mail.text).not.toContain('Line one');
      expect(mail.html).not.toContain('Line one');
    }
  });
});

describe('the hotline numbers email', () => {
  it('names the area in the subject and says what to do, in both languages', () => {
    const data = { area: '+49 511 (0511)', waiting: 2, since: '2026-11-25T10:00:00.000Z' };
    const en = hotlineNumbersWantedMail('en', data);
    const de = hotlineNumbersWantedMail('de', data);
    expect(en.subject).toBe('No free hotline number in area code +49 511 (0511)');
    expect(de.subject).toBe('Keine freie Hotline-Nummer in der Vorwahl +49 511 (0511)');
    expect(en.text).toContain('Hotlines waiting: 2\nWaiting since: 2026-11-25T10:00:00.000Z');
    expect(de.text).toContain('Wartende Hotlines: 2');
    for (const mail of [en, de]) {
      expect(mail.text).toContain('POST /v1/admin/hotline-numbers');
      expect(mail.html).toContain('SIPGATE_HOTLINE_TRUNK_DEVICE_ID');
    }
  });
});

describe('localeFromAcceptLanguage', () => {
  it.each([
    [undefined, 'de'],
    ['', 'de'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['EN-gb', 'en'],
    ['de-CH', 'de'],
    ['fr-FR,fr;q=0.9,en;q=0.8,de;q=0.7', 'en'],
    ['fr-FR,fr;q=0.9,de;q=0.8,en;q=0.7', 'de'],
    ['de;q=0.5,en;q=0.9', 'en'],
    ['en;q=0,de', 'de'],
    ['en;q=0', 'de'],
    ['fr, tr', 'de'],
    ['*', 'de'],
    ['en;q=abc', 'en'],
    [`${'x-'.repeat(2000)},en`, 'de'],
  ] as const)('%j → %s', (header, locale) => {
    expect(localeFromAcceptLanguage(header)).toBe(locale);
  });

  it('defaults to German', () => expect(DEFAULT_LOCALE).toBe('de'));
});

describe("the pool number's release email", () => {
  const release = {
    number: '+4921155590001',
    effectiveAt: '2026-12-01T00:00:00.000Z',
    reason: 'downgrade' as const,
    planName: 'Starter',
    timeZone: 'Europe/Berlin',
    portalUrl: 'https://portal.fonella.app',
  };

  it('German, a downgrade: the number, the new plan, the date in the user’s zone, the billing link', () => {
    const mail = numberReleaseMail('de', release);
    expect(mail.subject).toBe('Ihre Fonella-Rufnummer endet mit dem Abrechnungszeitraum');
    expect(mail.text).toContain('einen Tarif ohne Fonella-Rufnummer gewählt');
    expect(mail.text).toContain('Rufnummer: +4921155590001\nNeuer Tarif: Starter\nErreichbar bis: 01.12.2026, 01:00 (Europe/Berlin)');
    expect(mail.text).toContain('\nhttps://portal.fonella.app/billing\n');
    expect(mail.html).toContain('<html lang="de">');
    expect(mail.html).toContain('>Tarif verwalten</a>');
  });

  it('English, a cancellation: no plan named, the subscription ends', () => {
    const mail = numberReleaseMail('en', { ...release, reason: 'cancellation', planName: undefined });
    expect(mail.subject).toBe('Your Fonella number ends with the billing period');
    expect(mail.text).toContain('Your Fonella subscription ends with the billing period.');
    expect(mail.text).not.toContain('New plan:');
    expect(mail.text).toContain('Number: +4921155590001\nReachable until: 12/01/2026, 01:00 AM (Europe/Berlin)');
    expect(mail.html).toContain('>Manage your plan</a>');
  });

  it.each(LOCALES)('%s: values in the HTML are escaped', (locale) => {
    const mail = numberReleaseMail(locale, { ...release, planName: HOSTILE });
    expect(mail.html).not.toContain('<script');
    expect(mail.text).toContain(HOSTILE);
  });
});

describe("the email that the pool number stays", () => {
  const kept = { number: '+4921155590001', reason: 'downgrade' as const, portalUrl: 'https://portal.fonella.app' };

  it('German, a downgrade taken back: the number, that it stays, the billing link', () => {
    const mail = numberKeptMail('de', kept);
    expect(mail.subject).toBe('Ihre Fonella-Rufnummer bleibt Ihnen');
    expect(mail.text).toContain('Der Wechsel in einen Tarif ohne Fonella-Rufnummer findet nicht mehr statt.');
    expect(mail.text).toContain('Rufnummer: +4921155590001\n');
    expect(mail.text).toContain('\nhttps://portal.fonella.app/billing\n');
    expect(mail.html).toContain('>Tarif ansehen</a>');
  });

  it('English, a cancellation undone', () => {
    const mail = numberKeptMail('en', { ...kept, reason: 'cancellation' });
    expect(mail.subject).toBe('Your Fonella number stays yours');
    expect(mail.text).toContain('Your Fonella subscription no longer ends with the billing period.');
    expect(mail.text).toContain('Number: +4921155590001\n');
    expect(mail.html).toContain('<html lang="en">');
  });
});

describe('the failed-payment email', () => {
  const failure = {
    invoiceId: 'in_1QxY2Z3a4B5c6D7e',
    amountDue: 7900,
    currency: 'eur',
    planName: 'Business',
    failedAt: '2026-11-25T23:30:00.000Z',
    timeZone: 'America/New_York',
    portalUrl: 'https://portal.fonella.app',
  };

  it('German: subject, amount in German notation, plan, time in the user’s zone, invoice and the billing link', () => {
    const mail = paymentFailedMail('de', failure);
    expect(mail.subject).toBe('Zahlung fehlgeschlagen: Ihr Fonella-Abo');
    expect(mail.text).toMatch(/^Guten Tag,\n\ndie Zahlung für Ihr Fonella-Abo ist leider fehlgeschlagen\./);
    expect(mail.text).toContain('Tarif: Business\nBetrag: 79,00\u00a0€\nZeitpunkt: 25.11.2026, 18:30 (America/New_York)\nRechnung: in_1QxY2Z3a4B5c6D7e');
    expect(mail.text).toContain('\nhttps://portal.fonella.app/billing\n');
    expect(mail.html).toContain('<html lang="de">');
    expect(mail.html).toContain('<a href="https://portal.fonella.app/billing"');
    expect(mail.html).toContain('>Zahlungsmethode aktualisieren</a>');
  });

  it('English: subject, amount in English notation, the time as an American reader writes it', () => {
    const mail = paymentFailedMail('en', failure);
    expect(mail.subject).toBe('Payment failed: your Fonella subscription');
    expect(mail.text).toContain('Plan: Business\nAmount: €79.00\nTime: 11/25/2026, 06:30 PM (America/New_York)\nInvoice: in_1QxY2Z3a4B5c6D7e');
    expect(mail.text).toContain('\nhttps://portal.fonella.app/billing\n');
    expect(mail.html).toContain('<html lang="en">');
    expect(mail.html).toContain('>Update payment method</a>');
  });

  it('leaves the plan out when it is not known, and shows an unknown time zone in UTC', () => {
    const mail = paymentFailedMail('en', { ...failure, planName: undefined, timeZone: 'Mars/Olympus' });
    expect(mail.text).not.toContain('Plan:');
    expect(mail.text).toContain('Time: 11/25/2026, 11:30 PM (UTC)');
  });

  it.each(LOCALES)('%s: values in the HTML are escaped, the text keeps them as given', (locale) => {
    const mail = paymentFailedMail(locale, { ...failure, planName: HOSTILE, portalUrl: 'https://portal.example/?a=1&b="2"' });
    expect(mail.html).not.toContain('<script');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(mail.html).toContain('href="https://portal.example/?a=1&amp;b=&quot;2&quot;/billing"');
    expect(mail.text).toContain(HOSTILE);
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('formats an amount in the currency’s own smallest unit', () => {
    expect(formatAmount('de', 7900, 'eur')).toBe('79,00\u00a0€');
    expect(formatAmount('en', 7900, 'EUR')).toBe('€79.00');
    expect(formatAmount('en', 1234, 'usd')).toBe('$12.34');
    // Yen have no smaller unit: Stripe's 5000 are ¥5,000.
    expect(formatAmount('en', 5000, 'jpy')).toBe('¥5,000');
    expect(formatAmount('de', 5000, 'JPY')).toBe('5.000\u00a0¥');
    // A code the runtime cannot take still shows the amount.
    expect(formatAmount('en', 1234, 'e')).toBe('12.34 E');
  });
});

describe('the call report email', () => {
  const callReport = {
    reportId: '3f0c9a52-6a3e-4d5c-9a1e-2f1e0c1d2b3a',
    callId: 'call-7b1f',
    callStartedAt: '2026-03-02T09:15:00.000Z',
    locale: 'de' as const,
    reporterId: 'auth0|abc',
    reporterEmail: 'grace@example.com',
    description: `The assistant said ${HOSTILE}\nsecond line`,
    reportedAt: '2026-03-02T10:00:00.000Z',
    link: 'https://portal.fonella.app/calls/call-7b1f',
  };

  it('to the team: the call, its start, the reporter, the report\'s language and id, the description and the link', () => {
    const mail = callReportMail('en', callReport);
    expect(mail.subject).toBe('Call reported for review: call-7b1f');
    expect(mail.text).toBe(
      [
        'A customer reported a call for review (Microsoft Store policy 11.16):',
        '',
        'Call: call-7b1f',
        'Started: 2026-03-02T09:15:00.000Z',
        'Reported by: grace@example.com',
        'User: auth0|abc',
        'Language: German',
        'Report: 3f0c9a52-6a3e-4d5c-9a1e-2f1e0c1d2b3a',
        'Reported: 2026-03-02T10:00:00.000Z',
        '',
        'Description:',
        callReport.description,
        '',
        'View the call in the portal: https://portal.fonella.app/calls/call-7b1f',
      ].join('\n'),
    );
    expect(mail.html).toContain('<a href="https://portal.fonella.app/calls/call-7b1f"');
    expect(callReportMail('en', { ...callReport, reporterEmail: null }).text).toContain('Reported by: no email address known');
    expect(callReportMail('de', callReport).subject).toBe('Anruf zur Prüfung gemeldet: call-7b1f');
    expect(callReportMail('de', { ...callReport, locale: 'en' }).text).toContain('Gemeldet von: grace@example.com\nNutzer: auth0|abc\nSprache: Englisch');
  });

  it.each(LOCALES)('%s: the description is escaped in the HTML, its lines kept, and kept as typed in the text', (locale) => {
    const mail = callReportMail(locale, callReport);
    expect(mail.html).toMatch(/^<!doctype html>\n<html lang="(de|en)">/);
    expect(mail.html).toContain(`<html lang="${locale}">`);
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(mail.html).toContain('&amp; &quot;quotes&quot;<br>\nsecond line');
    expect(mail.text).toContain(HOSTILE);
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });
});
