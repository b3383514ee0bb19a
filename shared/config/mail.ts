// Outgoing email: Mailgun account (MAILGUN_URL picks the US or EU region), sender, team inboxes.
import * as z from '../zod';
import { defineConfig } from './define';

const nonEmpty = z.string().check(z.minLength(1));

export const mailConfig = defineConfig(
  'mail',
  z.pipe(
    z.object({
      MAILGUN_API_KEY: nonEmpty,
      MAILGUN_DOMAIN: nonEmpty,
      MAILGUN_URL: z.url(),
      MAIL_FROM: nonEmpty,
      SALES_INBOX: z.email(),
      SUPPORT_INBOX: z.email(),
    }),
    z.transform((e) => ({
      apiKey: e.MAILGUN_API_KEY,
      domain: e.MAILGUN_DOMAIN,
      url: e.MAILGUN_URL,
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
