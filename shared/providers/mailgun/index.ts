// The Mailgun adapter wired to this function's config.
import { mailConfig } from '../../config/mail';
import { mailgunMailer } from './adapter';
import type { Mailer } from './port';

export type { Mailer, OutgoingMail } from './port';
export { MailgunDomainNotFoundError } from './adapter';

let mailer: Mailer | undefined;
export function configuredMailer(): Mailer {
  if (!mailer) {
    const c = mailConfig();
    mailer = mailgunMailer({ apiKey: c.apiKey, domain: c.domain, region: c.region, url: c.url, from: c.from });
  }
  return mailer;
}
