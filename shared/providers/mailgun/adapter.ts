// Mailgun through its official client (mailgun.js). `url` selects the US or EU region, or the local
// emulator. Sending is not idempotent, so it is never retried here: a failed send surfaces as a
// typed error and the caller keeps what it stored.
import Mailgun from 'mailgun.js';
import { callProvider } from '../http';
import type { Mailer, OutgoingMail } from './port';

export interface MailgunSettings {
  apiKey: string;
  domain: string;
  /** https://api.mailgun.net, https://api.eu.mailgun.net, or the emulator's base URL. */
  url: string;
  from: string;
  timeoutMs?: number;
}

export function mailgunMailer(settings: MailgunSettings): Mailer {
  const timeoutMs = settings.timeoutMs ?? 8000;
  const client = new Mailgun(FormData).client({
    username: 'api',
    key: settings.apiKey,
    url: settings.url,
    timeout: timeoutMs,
  });

  return {
    async send(mail: OutgoingMail) {
      const data: Record<string, string | string[]> = {
        from: mail.from ?? settings.from,
        to: Array.isArray(mail.to) ? mail.to : [mail.to],
        subject: mail.subject,
        text: mail.text,
      };
      if (mail.html) data.html = mail.html;
      if (mail.replyTo) data['h:Reply-To'] = mail.replyTo;
      if (mail.tags?.length) data['o:tag'] = mail.tags;
      for (const [k, v] of Object.entries(mail.variables ?? {})) data[`v:${k}`] = v;

      const res = await callProvider(
        'mailgun',
        'send message',
        // The client types want its own union of message shapes; ours is one of them.
        () => client.messages.create(settings.domain, data as never),
        { timeoutMs: timeoutMs + 500 },
      );
      return { id: res.id ?? '' };
    },
  };
}
