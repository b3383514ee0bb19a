// Outgoing email: Mailgun account, sender, team inboxes. MAILGUN_REGION picks the US or EU API;
// MAILGUN_URL, when set, wins (the local emulator).
import { defineConfig, email, nonEmpty, oneOf, optional, url, withDefault } from './define';

export const MAILGUN_API = { us: 'https://api.mailgun.net', eu: 'https://api.eu.mailgun.net' } as const;
export type MailgunRegion = keyof typeof MAILGUN_API;

/** What the local emulator accepts: its API key and its one sending domain (as a Mailgun account has its own). */
export const MAILGUN_LOCAL = { apiKey: 'key-local-mailgun', domain: 'mg.fonella.local' } as const;

export const mailConfig = /* @__PURE__ */ defineConfig(
  'mail',
  {
    MAILGUN_API_KEY: nonEmpty,
    MAILGUN_DOMAIN: nonEmpty,
    MAILGUN_REGION: withDefault(oneOf(['eu', 'us']), 'eu'),
    MAILGUN_URL: optional(url),
    MAIL_FROM: nonEmpty,
    SALES_INBOX: email,
    SUPPORT_INBOX: email,
    // Customers' reports of calls for review; a stage without its own inbox sends them to support.
    REVIEW_INBOX: optional(email),
  },
  (e) => ({
    apiKey: e.MAILGUN_API_KEY,
    domain: e.MAILGUN_DOMAIN,
    // Where the domain lives; with MAILGUN_URL set (the emulator) it still names the region meant.
    region: e.MAILGUN_REGION,
    url: e.MAILGUN_URL ?? MAILGUN_API[e.MAILGUN_REGION],
    from: e.MAIL_FROM,
    salesInbox: e.SALES_INBOX,
    supportInbox: e.SUPPORT_INBOX,
    reviewInbox: e.REVIEW_INBOX ?? e.SUPPORT_INBOX,
  }),
  {
    MAILGUN_API_KEY: MAILGUN_LOCAL.apiKey,
    MAILGUN_DOMAIN: MAILGUN_LOCAL.domain,
    MAILGUN_URL: 'http://127.0.0.1:4002',
    MAIL_FROM: 'Fonella <no-reply@mg.fonella.local>',
    SALES_INBOX: 'sales@fonella.local',
    SUPPORT_INBOX: 'support@fonella.local',
    REVIEW_INBOX: 'review@fonella.local',
  },
);
