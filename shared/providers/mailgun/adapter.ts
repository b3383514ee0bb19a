// Mailgun through its official client (mailgun.js). `url` selects the US or EU region, or the local
// emulator. Sending is not idempotent, so it is never retried here: a failed send surfaces as a
// typed error and the caller keeps what it stored.
import Mailgun from 'mailgun.js';
import type { MailgunRegion } from '../../config/mail';
import { ProviderRejectedError } from '../../errors';
import { callProvider } from '../http';
import type { Mailer, OutgoingMail } from './port';

export interface MailgunSettings {
  apiKey: string;
  domain: string;
  /** https://api.mailgun.net, https://api.eu.mailgun.net, or the emulator's base URL. */
  url: string;
  from: string;
  /** The region the domain is meant to be in (MAILGUN_REGION); read from `url` when not given. */
  region?: MailgunRegion;
  timeoutMs?: number;
}

/**
 * Mailgun answered 404 "Domain not found" for the sending domain: the account has no such domain,
 * or has it in the other region (a domain lives in the US or the EU region and only that region's
 * API knows it). A configuration error, the same on every retry: check MAILGUN_DOMAIN and
 * MAILGUN_REGION.
 */
export class MailgunDomainNotFoundError extends ProviderRejectedError {
  readonly domain: string;
  readonly region: MailgunRegion | undefined;
  readonly url: string;

  constructor(domain: string, region: MailgunRegion | undefined, url: string, opts: { cause?: unknown } = {}) {
    super('mailgun', 'send message', { ...opts, providerStatus: 404 });
    this.domain = domain;
    this.region = region;
    this.url = url;
    const where = region ? `the ${region.toUpperCase()} region (${url})` : url;
    const other = region === 'eu' ? 'US' : region === 'us' ? 'EU' : 'other';
    this.message =
      `mailgun send message: domain ${domain} not found (HTTP 404) in ${where}: the account has no such ` +
      `sending domain, or has it in the ${other} region. Check MAILGUN_DOMAIN and MAILGUN_REGION.`;
  }
}

export function mailgunMailer(settings: MailgunSettings): Mailer {
  const timeoutMs = settings.timeoutMs ?? 8000;
  const region = settings.region ?? regionOf(settings.url);
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
        () =>
          // The client types want its own union of message shapes; ours is one of them.
          client.messages.create(settings.domain, data as never).catch((err: unknown) => {
            if (isDomainNotFound(err)) throw new MailgunDomainNotFoundError(settings.domain, region, settings.url, { cause: 'Domain not found' });
            throw err;
          }),
        { timeoutMs: timeoutMs + 500 },
      );
      return { id: res.id ?? '' };
    },
  };
}

/** Mailgun's answer for a domain the account lacks in this region: 404 `{"message": "Domain not found: <domain>"}`. */
function isDomainNotFound(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  // mailgun.js puts the HTTP status in `status` and the body's `message` in `details`.
  const { status, details } = err as { status?: unknown; details?: unknown };
  return status === 404 && typeof details === 'string' && /^Domain not found\b/i.test(details);
}

function regionOf(url: string): MailgunRegion | undefined {
  const host = URL.canParse(url) ? new URL(url).hostname : '';
  if (host === 'api.eu.mailgun.net') return 'eu';
  if (host === 'api.mailgun.net') return 'us';
  return undefined;
}
