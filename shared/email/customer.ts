// The emails to a customer about their own account, in the language of their settings: a new
// sign-in, the link confirming a changed address, a failed payment, the pool number's release at the
// period's end (and that it stays, when that is taken back), the summary after each call, the
// confirmation that the account is deleted, a webhook endpoint disabled after days of failures, and
// that an export of the account's data is ready.
import type { Locale } from '../model/locale';
import { document, fields, formatAmount, formatLocalTime, html, quote, type RenderedMail } from './kit';

// --- Device sessions: the new-sign-in alert -------------------------------------------------------

export interface SignInAlertData {
  /** When the device signed in (ISO 8601). */
  signedInAt: string;
  /** The user's IANA time zone; an unknown one shows the time in UTC. */
  timeZone: string;
  /** The device as a person recognises it ("Chrome 131 on macOS"). */
  device: string;
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

// --- Settings: the link confirming a changed address ----------------------------------------------

export interface EmailConfirmationData {
  /** The portal's confirmation page with the link's token: built by us, never from what a user typed. */
  link: string;
  /** When the link stops working (ISO 8601). */
  expiresAt: string;
  /** The user's IANA time zone; an unknown one shows the time in UTC. */
  timeZone: string;
}

/**
 * To an address a user entered as theirs in the portal's settings. It says only what happened and
 * holds the link: no name or other text the user typed, since anyone can type any address there.
 */
export function emailConfirmationMail(locale: Locale, d: EmailConfirmationData): RenderedMail {
  const t = {
    de: {
      subject: 'Bitte bestätigen Sie Ihre E-Mail-Adresse für Fonella',
      hello: 'Guten Tag,',
      intro: 'diese Adresse wurde in einem Fonella-Konto als neue E-Mail-Adresse eingetragen. Sie gilt erst, wenn Sie sie bestätigen:',
      button: 'E-Mail-Adresse bestätigen',
      until: 'Der Link gilt bis',
      notYou: 'Wenn Sie das nicht waren, ignorieren Sie diese E-Mail: Ohne Bestätigung ändert sich nichts.',
      bye: 'Ihr Fonella-Team',
    },
    en: {
      subject: 'Please confirm your email address for Fonella',
      hello: 'Hello,',
      intro: 'this address was entered as the new email address of a Fonella account. It takes effect only once you confirm it:',
      button: 'Confirm email address',
      until: 'The link works until',
      notYou: 'If this was not you, ignore this email: without a confirmation nothing changes.',
      bye: 'Your Fonella team',
    },
  }[locale];
  return linkMail(locale, t, d);
}

/** The texts of an email that leads to one link that works until a time. */
interface LinkMailText {
  subject: string;
  hello: string;
  intro: string;
  button: string;
  until: string;
  notYou: string;
  bye: string;
}

/** An email around one link: the intro, the link as a button and in full, until when it works, and what to do if it was not you. */
function linkMail(locale: Locale, t: LinkMailText, d: { link: string; expiresAt: string; timeZone: string }): RenderedMail {
  const until = `${t.until} ${formatLocalTime(locale, d.expiresAt, d.timeZone)}.`;
  return {
    subject: t.subject,
    text: [t.hello, '', t.intro, d.link, '', until, '', t.notYou, '', t.bye].join('\n'),
    html: document(
      locale,
      t.subject,
      html`<p>${t.hello}</p><p>${t.intro}</p><p><a href="${d.link}" style="display:inline-block;padding:10px 16px;background:#1f6feb;color:#ffffff;border-radius:6px;text-decoration:none">${t.button}</a></p><p style="color:#6b7280;font-size:13px">${d.link}</p><p>${until}</p><p>${t.notYou}</p><p>${t.bye}</p>`,
    ),
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
  return billingMail(
    locale,
    t,
    [
      [t.plan, d.planName],
      [t.amount, formatAmount(locale, d.amountDue, d.currency)],
      [t.time, formatLocalTime(locale, d.failedAt, d.timeZone)],
      [t.invoice, d.invoiceId],
    ],
    d.portalUrl,
  );
}

// --- Billing: the pool number goes at the period's end --------------------------------------------

export interface NumberReleaseData {
  /** The Fonella number that goes (E.164). */
  number: string;
  /** When it goes: the end of the current period (ISO 8601). */
  effectiveAt: string;
  /** A downgrade to a plan without a number (its name, when known), or the subscription ending. */
  reason: 'downgrade' | 'cancellation';
  planName?: string;
  /** The user's IANA time zone; an unknown one shows the time in UTC. */
  timeZone: string;
  /** The customer portal's base URL, without a trailing slash. */
  portalUrl: string;
}

/** To a customer whose pool number goes at the end of the period: which number, when, why, and how to keep it. */
export function numberReleaseMail(locale: Locale, d: NumberReleaseData): RenderedMail {
  const t = {
    de: {
      subject: 'Ihre Fonella-Rufnummer endet mit dem Abrechnungszeitraum',
      hello: 'Guten Tag,',
      intro:
        d.reason === 'downgrade'
          ? 'Sie haben zum Ende des Abrechnungszeitraums einen Tarif ohne Fonella-Rufnummer gewählt. Ihre Rufnummer geht dann an Fonella zurück; Ihr Assistent ist unter ihr nicht mehr erreichbar.'
          : 'Ihr Fonella-Abo endet zum Ende des Abrechnungszeitraums. Ihre Rufnummer geht dann an Fonella zurück; Ihr Assistent ist unter ihr nicht mehr erreichbar.',
      number: 'Rufnummer',
      plan: 'Neuer Tarif',
      until: 'Erreichbar bis',
      action: 'Möchten Sie die Nummer behalten? Dann ändern Sie Ihren Tarif vorher im Kundenportal:',
      button: 'Tarif verwalten',
      bye: 'Ihr Fonella-Team',
    },
    en: {
      subject: 'Your Fonella number ends with the billing period',
      hello: 'Hello,',
      intro:
        d.reason === 'downgrade'
          ? 'You chose a plan without a Fonella number from the end of the billing period. Your number then goes back to Fonella, and your assistant can no longer be reached on it.'
          : 'Your Fonella subscription ends with the billing period. Your number then goes back to Fonella, and your assistant can no longer be reached on it.',
      number: 'Number',
      plan: 'New plan',
      until: 'Reachable until',
      action: 'Would you like to keep the number? Change your plan in the customer portal before then:',
      button: 'Manage your plan',
      bye: 'Your Fonella team',
    },
  }[locale];
  return billingMail(
    locale,
    t,
    [
      [t.number, d.number],
      [t.plan, d.reason === 'downgrade' ? d.planName : undefined],
      [t.until, formatLocalTime(locale, d.effectiveAt, d.timeZone)],
    ],
    d.portalUrl,
  );
}

export interface NumberKeptData {
  /** The Fonella number that stays (E.164). */
  number: string;
  /** Why it was to go: a downgrade to a plan without a number, or the subscription ending. */
  reason: 'downgrade' | 'cancellation';
  /** The customer portal's base URL, without a trailing slash. */
  portalUrl: string;
}

/** To a customer who was told their pool number goes, and then took that back: the number stays. */
export function numberKeptMail(locale: Locale, d: NumberKeptData): RenderedMail {
  const t = {
    de: {
      subject: 'Ihre Fonella-Rufnummer bleibt Ihnen',
      hello: 'Guten Tag,',
      intro:
        d.reason === 'downgrade'
          ? 'Der Wechsel in einen Tarif ohne Fonella-Rufnummer findet nicht mehr statt. Ihre Rufnummer geht damit doch nicht an Fonella zurück; Ihr Assistent bleibt unter ihr erreichbar.'
          : 'Ihr Fonella-Abo endet nicht mehr mit dem Abrechnungszeitraum. Ihre Rufnummer geht damit doch nicht an Fonella zurück; Ihr Assistent bleibt unter ihr erreichbar.',
      number: 'Rufnummer',
      action: 'Ihren Tarif sehen Sie im Kundenportal:',
      button: 'Tarif ansehen',
      bye: 'Ihr Fonella-Team',
    },
    en: {
      subject: 'Your Fonella number stays yours',
      hello: 'Hello,',
      intro:
        d.reason === 'downgrade'
          ? 'The change to a plan without a Fonella number no longer takes place. So your number does not go back to Fonella after all, and your assistant can still be reached on it.'
          : 'Your Fonella subscription no longer ends with the billing period. So your number does not go back to Fonella after all, and your assistant can still be reached on it.',
      number: 'Number',
      action: 'Your plan is in the customer portal:',
      button: 'View your plan',
      bye: 'Your Fonella team',
    },
  }[locale];
  return billingMail(locale, t, [[t.number, d.number]], d.portalUrl);
}

/** The billing emails' words: a greeting, what happened, what to do (a button), maybe a closing note, the sign-off. */
interface BillingWords {
  subject: string;
  hello: string;
  intro: string;
  action: string;
  button: string;
  done?: string;
  bye: string;
}

/** A billing email: the words around the fields, and the button to the portal's billing page. */
function billingMail(locale: Locale, t: BillingWords, rows: Parameters<typeof fields>[0], portalUrl: string): RenderedMail {
  const link = `${portalUrl}/billing`;
  const f = fields(rows);
  return {
    subject: t.subject,
    text: [t.hello, '', t.intro, '', f.text, '', t.action, link, '', ...(t.done ? [t.done, ''] : []), t.bye].join('\n'),
    html: document(
      locale,
      t.subject,
      html`<p>${t.hello}</p><p>${t.intro}</p>${f.html}<p>${t.action}</p><p><a href="${link}" style="display:inline-block;padding:10px 16px;background:#1f6feb;color:#ffffff;border-radius:6px;text-decoration:none">${t.button}</a></p><p style="color:#6b7280;font-size:13px">${link}</p>${t.done ? html`<p>${t.done}</p>` : ''}<p>${t.bye}</p>`,
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

// --- Webhooks: an endpoint disabled after days of failures ------------------------------------------

export interface WebhookDisabledData {
  /** The endpoint's URL, as the customer entered it. */
  url: string;
  /** The first failed attempt since the last success (ISO 8601). */
  failingSince: string;
  /** The user's IANA time zone; an unknown one shows the time in UTC. */
  timeZone: string;
  /** The customer portal's base URL, without a trailing slash. */
  portalUrl: string;
}

/** To a customer whose webhook endpoint failed every attempt for five days and is now disabled. */
export function webhookDisabledMail(locale: Locale, d: WebhookDisabledData): RenderedMail {
  const t = {
    de: {
      subject: 'Webhook-Endpunkt deaktiviert',
      hello: 'Guten Tag,',
      intro: 'Ihr Webhook-Endpunkt hat seit fünf Tagen keine Zustellung mehr angenommen. Wir haben ihn deshalb deaktiviert und senden ihm keine Ereignisse mehr.',
      endpoint: 'Endpunkt',
      since: 'Fehler seit',
      action: 'Sobald der Endpunkt wieder erreichbar ist, aktivieren Sie ihn im Kundenportal oder über die API (`enabled: true`); mit „recover“ senden Sie die verpassten Ereignisse erneut:',
      bye: 'Ihr Fonella-Team',
    },
    en: {
      subject: 'Webhook endpoint disabled',
      hello: 'Hello,',
      intro: 'Your webhook endpoint has not accepted a delivery for five days. We have therefore disabled it and send it no more events.',
      endpoint: 'Endpoint',
      since: 'Failing since',
      action: 'Once the endpoint answers again, enable it in the customer portal or through the API (`enabled: true`); "recover" sends the missed events again:',
      bye: 'Your Fonella team',
    },
  }[locale];
  const link = `${d.portalUrl}/developers/webhooks`;
  const f = fields([
    [t.endpoint, d.url],
    [t.since, formatLocalTime(locale, d.failingSince, d.timeZone)],
  ]);
  return {
    subject: t.subject,
    text: [t.hello, '', t.intro, '', f.text, '', t.action, link, '', t.bye].join('\n'),
    html: document(locale, t.subject, html`<p>${t.hello}</p><p>${t.intro}</p>${f.html}<p>${t.action}</p><p><a href="${link}">${link}</a></p><p>${t.bye}</p>`),
  };
}

// --- Privacy: a data export is ready ---------------------------------------------------------------

export interface ExportReadyData {
  /** The portal's page of the export, where a download link is made on each visit. */
  link: string;
  /** When the export's files are deleted (ISO 8601). */
  expiresAt: string;
  /** The user's IANA time zone; an unknown one shows the time in UTC. */
  timeZone: string;
}

/**
 * To a customer whose export of their data (GET /v1/me/exports/{id}) is ready. It holds no data and no
 * download link itself (those last minutes and need the signed-in portal): only the page where the
 * customer, signed in, downloads it.
 */
export function exportReadyMail(locale: Locale, d: ExportReadyData): RenderedMail {
  const t = {
    de: {
      subject: 'Ihr Fonella-Datenexport ist bereit',
      hello: 'Guten Tag,',
      intro: 'der Export aller Daten, die Fonella zu Ihrem Konto speichert, ist fertig. Angemeldet im Portal laden Sie ihn hier herunter:',
      button: 'Export herunterladen',
      until: 'Danach löschen wir ihn; verfügbar bis',
      notYou: 'Wenn Sie keinen Export angefordert haben, melden Sie sich bitte bei uns.',
      bye: 'Ihr Fonella-Team',
    },
    en: {
      subject: 'Your Fonella data export is ready',
      hello: 'Hello,',
      intro: 'the export of all data Fonella keeps about your account is ready. Signed in to the portal, download it here:',
      button: 'Download the export',
      until: 'After that we delete it; available until',
      notYou: 'If you did not ask for an export, please let us know.',
      bye: 'Your Fonella team',
    },
  }[locale];
  return linkMail(locale, t, d);
}
