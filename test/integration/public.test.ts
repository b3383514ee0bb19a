// The public slice through the local API: health, plans, contact form (its reCAPTCHA check too).
import { beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_PK_PREFIX } from '../../shared/db/rate-limits';
import { recaptchaToken } from '../support/recaptcha';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { partition } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

describe('GET /v1/health', () => {
  it('answers with the service, stage and time', async () => {
    const res = await stack.call('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', service: 'fonella-api', stage: 'test' });
    expect(Date.parse(res.body.timestamp)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('adds CORS headers for a configured origin only', async () => {
    const allowed = await stack.call('GET', '/v1/health', { headers: { origin: 'http://localhost:5173' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const other = await stack.call('GET', '/v1/health', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('GET /v1/public/plans', () => {
  it('lists the three plans', async () => {
    const res = await stack.call('GET', '/v1/public/plans');
    expect(res.status).toBe(200);
    expect(res.body.plans.map((p: { id: string }) => p.id)).toEqual(['starter', 'business', 'premium']);
    for (const p of res.body.plans) expect(p.monthlyPriceCents).toBeGreaterThan(0);
  });
});

describe('POST /v1/public/contact', () => {
  const form = { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Engines Ltd', message: 'Please call me.' };

  it('stores the request and answers; a worker emails the sales inbox with reply-to the sender', async () => {
    const res = await stack.call('POST', '/v1/public/contact', { body: form });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('received');
    const { requestId } = res.body;

    const mail = await waitFor('the contact email', async () =>
      (await stack.mails()).find((m) => m.variables.requestId === requestId),
    );
    expect(mail).toMatchObject({ to: ['sales@fonella.local'], replyTo: 'ada@example.com', tags: ['contact'] });
    expect(mail.subject).toBe('Contact form: Ada Lovelace (Engines Ltd)');
    expect(String(mail.text)).toContain('Please call me.');

    const row = await waitFor('the row marked sent', async () =>
      (await partition(stack, `CONTACT#${requestId}`)).find((r) => r.mailStatus === 'sent'),
    );
    expect(row).toMatchObject({ email: form.email, message: form.message, mailId: mail.id });
    // Kept for the configured retention (local default 180 days), then DynamoDB deletes it.
    expect(row.ttl).toBeGreaterThan(Date.now() / 1000 + 179 * 86400);
    expect(row.ttl).toBeLessThan(Date.now() / 1000 + 181 * 86400);
  });

  it('answers 202 while Mailgun is down: the request is stored, pending', async () => {
    await stack.fault('mailgun', { mode: 'error', count: 1000 });
    try {
      const res = await stack.call('POST', '/v1/public/contact', { body: { ...form, message: 'Mail is down.' } });
      expect(res.status).toBe(202);
      const rows = await partition(stack, `CONTACT#${res.body.requestId}`);
      expect(rows[0]).toMatchObject({ message: 'Mail is down.', mailStatus: 'pending' });
    } finally {
      await fetch(`${stack.emulators.mailgun}/_faults`, { method: 'DELETE' });
    }
  });

  it('keeps user text out of the email headers: no line breaks, no extra addresses', async () => {
    const before = (await stack.scan()).length;
    for (const name of ['Ada\r\nBcc: victim@evil.example', 'Ada\nBcc: victim@evil.example', 'Ada\u0000', '\u202eAda']) {
      const res = await stack.call('POST', '/v1/public/contact', { body: { ...form, name } });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.name');
    }
    const crlfCompany = await stack.call('POST', '/v1/public/contact', { body: { ...form, company: 'X\r\nBcc: v@evil.example' } });
    expect(crlfCompany.status).toBe(400);
    expect(await stack.scan()).toHaveLength(before);

    const res = await stack.call('POST', '/v1/public/contact', { body: { ...form, name: 'Eve <attacker@evil.example>, Bob' } });
    expect(res.status).toBe(202);
    const mail = await waitFor('the email', async () => (await stack.mails()).find((m) => m.variables.requestId === res.body.requestId));
    expect(mail.replyTo).toBe(form.email);
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('refuses a bad email without storing anything', async () => {
    const count = (await stack.scan()).length;
    const res = await stack.call('POST', '/v1/public/contact', { body: { ...form, email: 'not-an-email' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body.email', message: expect.any(String) }]);
    expect(await stack.scan()).toHaveLength(count);
  });
});

describe('POST /v1/public/contact: reCAPTCHA', () => {
  const form = { name: 'Ada Lovelace', email: 'ada@example.com', message: 'Please call me.' };
  const counted = async () =>
    (await stack.scan()).filter((r) => String(r.pk).startsWith(RATE_LIMIT_PK_PREFIX)).reduce((n, r) => n + Number(r.hits), 0);
  const verified = async () => (await stack.inspect<{ verifications: { token: string }[] }>('recaptcha')).verifications.map((v) => v.token);

  it('a token minted for the contact form passes; it is verified, not stored', async () => {
    const token = recaptchaToken('contact');
    const res = await stack.call('POST', '/v1/public/contact', { body: { ...form, recaptchaToken: token } });
    expect(res.status).toBe(202);
    expect(await verified()).toContain(token);
    const [row] = await partition(stack, `CONTACT#${res.body.requestId}`);
    expect(row).toMatchObject({ name: form.name, message: form.message });
    expect(row).not.toHaveProperty('recaptchaToken');
  });

  it.each([
    ['a token Google does not verify', 'recaptcha-failed', () => 'fail'],
    ['a token minted for the support ticket form', 'recaptcha-action-mismatch', () => recaptchaToken('support_ticket')],
    ['a token with a low score', 'recaptcha-low-score', () => recaptchaToken('contact', 0.2)],
  ])('%s → 403 %s; nothing written, not even a rate-limit count, no email', async (what, type, token) => {
    const before = await settle(stack);
    const countedBefore = await counted();
    const sent = token();
    const res = await stack.call('POST', '/v1/public/contact', { body: { ...form, recaptchaToken: sent } });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: `urn:fonella:problem:${type}`, status: 403, title: 'Forbidden' });
    expect(await verified()).toContain(sent);
    await stack.streams.idle();
    await expectUnchanged(stack, before, `a contact form with ${what}`);
    expect(await counted()).toBe(countedBefore);
  });

  it('the email to the sales inbox has an HTML part, with what the sender typed escaped', async () => {
    const res = await stack.call('POST', '/v1/public/contact', {
      body: { ...form, name: 'Eve <b>Bold</b>', message: '<script>alert(1)</script>\nline two', recaptchaToken: recaptchaToken('contact') },
    });
    expect(res.status).toBe(202);
    const mail = await waitFor('the email', async () => (await stack.mails()).find((m) => m.variables.requestId === res.body.requestId));
    expect(mail.html).toContain('Eve &lt;b&gt;Bold&lt;/b&gt;');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;<br>');
    expect(mail.html).not.toMatch(/<script|<b>Bold/);
    expect(mail.subject).toBe('Contact form: Eve <b>Bold</b>');
  });
});
