// The Mailgun adapter (official mailgun.js client) against the Mailgun emulator, over HTTP.
import { describe, expect, it } from 'vitest';
import { createMailgunEmulator, type StoredMessage } from '../../lib/local/emulators/mailgun';
import { mailConfig } from '../../shared/config/mail';
import { ProviderRejectedError, ProviderUnavailableError } from '../../shared/errors';
import { mailgunMailer } from '../../shared/providers/mailgun/adapter';
import { useEmulator } from '../support/emulator';

const emu = useEmulator(createMailgunEmulator());
const settings = () => ({ apiKey: 'key-local-mailgun', domain: 'mg.test', url: emu.baseUrl, from: 'Fonella <no-reply@mg.test>' });
const messages = async () => (await emu.inspect<{ messages: StoredMessage[] }>()).messages;

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
    expect(id).toMatch(/^<.+@mg\.test>$/);
    const [m] = await messages();
    expect(m).toMatchObject({ id, domain: 'mg.test', from: 'Fonella <no-reply@mg.test>', ...mail });
  });

  it('a wrong API key → ProviderRejectedError, nothing sent', async () => {
    const mailer = mailgunMailer({ ...settings(), apiKey: 'key-wrong' });
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
    const mailer = mailgunMailer({ ...settings(), timeoutMs: 300 });
    await expect(mailer.send({ to: 'a@example.com', subject: 's', text: 't' })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('mail config', () => {
  const prod = { STAGE: 'prod', MAILGUN_API_KEY: 'k', MAILGUN_DOMAIN: 'mg.fonella.app', MAIL_FROM: 'Fonella <no-reply@mg.fonella.app>', SALES_INBOX: 'sales@fonella.app', SUPPORT_INBOX: 'support@fonella.app' };

  it('uses the EU API by default, the US one when asked, and an explicit URL over both', () => {
    expect(mailConfig.parse(prod).url).toBe('https://api.eu.mailgun.net');
    expect(mailConfig.parse({ ...prod, MAILGUN_REGION: 'us' }).url).toBe('https://api.mailgun.net');
    expect(mailConfig.parse({ ...prod, MAILGUN_URL: 'http://127.0.0.1:9' }).url).toBe('http://127.0.0.1:9');
  });

  it('on a deployed stage the API key is required', () => {
    expect(() => mailConfig.parse({ ...prod, MAILGUN_API_KEY: undefined })).toThrow(/MAILGUN_API_KEY/);
  });
});
