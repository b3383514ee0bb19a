// The Mailgun adapter (official mailgun.js client) against the Mailgun emulator, over HTTP.
import Mailgun from 'mailgun.js';
import { describe, expect, it } from 'vitest';
import { createMailgunEmulator, type StoredMessage } from '../../lib/local/emulators/mailgun';
import { MAILGUN_LOCAL, mailConfig } from '../../shared/config/mail';
import { ProviderRejectedError, ProviderUnavailableError } from '../../shared/errors';
import { MailgunDomainNotFoundError, mailgunMailer, type MailgunSettings } from '../../shared/providers/mailgun/adapter';
import { useEmulator } from '../support/emulator';

const emu = useEmulator(createMailgunEmulator());
const settings = (over: Partial<MailgunSettings> = {}): MailgunSettings => ({
  apiKey: MAILGUN_LOCAL.apiKey,
  domain: MAILGUN_LOCAL.domain,
  url: emu.baseUrl,
  from: `Fonella <no-reply@${MAILGUN_LOCAL.domain}>`,
  ...over,
});
const messages = async () => (await emu.inspect<{ messages: StoredMessage[] }>()).messages;
/** The SDK itself, for what the adapter does not hand on (Mailgun's own error text). */
const sdk = () => new Mailgun(FormData).client({ username: 'api', key: MAILGUN_LOCAL.apiKey, url: emu.baseUrl });

describe('mailgun adapter', () => {
  it('sends from, to, reply-to, subject, text, html, tags and variables', async () => {
    const mail = {
      to: ['a@example.com', 'b@example.com'],
      replyTo: 'Ada <ada@example.com>',
      subject: 'Hello',
      text: 'plain',
      html: '<p>rich</p>',
      tags: ['contact', 'test'],
      variables: { requestId: 'r-1' },
    };
    const { id } = await mailgunMailer(settings()).send(mail);
    expect(id).toMatch(/^<.+@mg\.fonella\.local>$/);
    const [m] = await messages();
    expect(m).toMatchObject({ id, domain: MAILGUN_LOCAL.domain, from: 'Fonella <no-reply@mg.fonella.local>', ...mail });
  });

  // Source: Mailgun's 404 {"message": "Domain not found: <domain>"}, also for the wrong region (mailgun/mailgun-ruby#171, awesomemotive/WP-Mail-SMTP#50).
  it('a sending domain the account lacks, or has in the other region → MailgunDomainNotFoundError naming both; nothing sent', async () => {
    const err = await mailgunMailer(settings({ domain: 'mg.example.com', region: 'us' }))
      .send({ to: 'a@example.com', subject: 's', text: 't' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailgunDomainNotFoundError);
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err).toMatchObject({ domain: 'mg.example.com', region: 'us', providerStatus: 404, status: 502 });
    expect((err as Error).message).toContain('mg.example.com');
    expect((err as Error).message).toMatch(/US region .*EU region.*MAILGUN_REGION/);
    const eu = await mailgunMailer(settings({ domain: 'mg.example.com', region: 'eu' }))
      .send({ to: 'a@example.com', subject: 's', text: 't' })
      .catch((e: unknown) => e);
    expect((eu as Error).message).toMatch(/EU region .*US region/);
    // On the wire, through the SDK: Mailgun's status and text.
    const raw = await sdk().messages.create('mg.example.com', { from: 'x@mg.example.com', to: ['a@example.com'], subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(raw).toMatchObject({ status: 404, details: 'Domain not found: mg.example.com' });
    expect(await messages()).toEqual([]);
  });

  it('the region comes from the API URL when not given', async () => {
    const mailer = mailgunMailer(settings({ domain: 'mg.example.com' }));
    const err = await mailer.send({ to: 'a@example.com', subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ domain: 'mg.example.com', region: undefined });
    expect((err as Error).message).toContain(emu.baseUrl);
  });

  // Source: Mailgun's 400 text for no body as answered in 2025 (anymail/django-anymail#424); older answers said "'text' or 'html'".
  it('a message with no text or html → 400 with Mailgun’s text → ProviderRejectedError; nothing sent', async () => {
    const err = await mailgunMailer(settings()).send({ to: 'a@example.com', subject: 's', text: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err).toMatchObject({ providerStatus: 400 });
    const raw = await sdk().messages.create(MAILGUN_LOCAL.domain, { from: 'x@mg.fonella.local', to: ['a@example.com'], subject: 's' } as never).catch((e: unknown) => e);
    expect(raw).toMatchObject({ status: 400, details: "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified" });
    expect(await messages()).toEqual([]);
  });

  it('a wrong API key → ProviderRejectedError, nothing sent', async () => {
    const mailer = mailgunMailer(settings({ apiKey: 'key-wrong' }));
    await expect(mailer.send({ to: 'a@example.com', subject: 's', text: 't' })).rejects.toBeInstanceOf(ProviderRejectedError);
    expect(await messages()).toEqual([]);
  });

  it('a 5xx → ProviderUnavailableError, and the send is not retried (no duplicate mail)', async () => {
    await emu.fault({ mode: 'error', count: 1 });
    const mailer = mailgunMailer(settings());
    await expect(mailer.send({ to: 'a@example.com', subject: 's', text: 't' })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await messages()).toEqual([]);
    await mailer.send({ to: 'a@example.com', subject: 's', text: 't' });
    expect(await messages()).toHaveLength(1);
  });

  it('no answer → ProviderUnavailableError within the timeout', async () => {
    await emu.fault({ mode: 'timeout', count: 1 });
    const started = Date.now();
    const mailer = mailgunMailer(settings({ timeoutMs: 300 }));
    await expect(mailer.send({ to: 'a@example.com', subject: 's', text: 't' })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('mail config', () => {
  const prod = { STAGE: 'prod', MAILGUN_API_KEY: 'k', MAILGUN_DOMAIN: 'mg.fonella.app', MAIL_FROM: 'Fonella <no-reply@mg.fonella.app>', SALES_INBOX: 'sales@fonella.app', SUPPORT_INBOX: 'support@fonella.app' };

  it('uses the EU API by default, the US one when asked, and an explicit URL over both', () => {
    expect(mailConfig.parse(prod)).toMatchObject({ url: 'https://api.eu.mailgun.net', region: 'eu' });
    expect(mailConfig.parse({ ...prod, MAILGUN_REGION: 'us' })).toMatchObject({ url: 'https://api.mailgun.net', region: 'us' });
    expect(mailConfig.parse({ ...prod, MAILGUN_URL: 'http://127.0.0.1:9' })).toMatchObject({ url: 'http://127.0.0.1:9', region: 'eu' });
  });

  it('on a deployed stage the API key is required', () => {
    expect(() => mailConfig.parse({ ...prod, MAILGUN_API_KEY: undefined })).toThrow(/MAILGUN_API_KEY/);
  });

  it('locally it sends from the emulator’s one domain, and the emulator hands the adapter that domain', () => {
    expect(mailConfig.parse({ STAGE: 'local' })).toMatchObject({ domain: MAILGUN_LOCAL.domain, apiKey: MAILGUN_LOCAL.apiKey });
    const env = createMailgunEmulator().env('http://127.0.0.1:9');
    expect(mailConfig.parse({ ...prod, ...env })).toMatchObject({ domain: MAILGUN_LOCAL.domain, url: 'http://127.0.0.1:9' });
  });
});
