// Outgoing email: Mailgun account, sender, team inboxes. MAILGUN_REGION picks the US or EU API;
// MAILGUN_URL, when set, wins (the local emulator).
import * as z from '../zod';
import { defineConfig, nonEmpty } from './define';

export const MAILGUN_API = { us: 'https://api.mailgun.net', eu: 'https://api.eu.mailgun.net' } as const;

export const mailConfig = defineConfig(
  'mail',
  z.pipe(
    z.object({
      MAILGUN_API_KEY: nonEmpty,
      MAILGUN_DOMAIN: nonEmpty,
      MAILGUN_REGION: z._default(z.enum(['eu', 'us']), 'eu'),
      MAILGUN_URL: z.optional(z.url()),
      MAIL_FROM: nonEmpty,
      SALES_INBOX: z.email(),
      SUPPORT_INBOX: z.email(),
    }),
    z.transform((e) => ({
      apiKey: e.MAILGUN_API_KEY,
      domain: e.MAILGUN_DOMAIN,
      url: e.MAILGUN_URL ?? MAILGUN_API[e.MAILGUN_REGION],
      from: e.MAIL_FROM,
      salesInbox: e.SALES_INBOX,
      supportInbox: e.SUPPORT_INBOX,
    })),
  ),
  {
    MAILGUN_API_KEY: 'key-local-mailgun',
    MAILGUN_DOMAIN: 'mg.fonella.local',
    MAILGUN_URL: 'http://127.0.0.1:4002',
    MAIL_FROM: 'Fonella <no-reply@mg.fonella.local>',
    SALES_INBOX: 'sales@fonella.local',
    SUPPORT_INBOX: 'support@fonella.local',
  },
);
