// The public slice through the local API: health, plans, contact form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
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

  it('stores the request, then emails the sales inbox with reply-to the sender', async () => {
    const res = await stack.call('POST', '/v1/public/contact', { body: form });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('received');
    const { requestId } = res.body;

    const rows = (await stack.scan()).filter((r) => r.pk === `CONTACT#${requestId}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ email: form.email, message: form.message, mailStatus: 'sent' });

    const { messages } = await stack.inspect<{ messages: Record<string, unknown>[] }>('mailgun');
    const mail = messages.find((m) => (m.variables as Record<string, string>).requestId === requestId);
    expect(mail).toMatchObject({ to: ['sales@fonella.local'], replyTo: 'Ada Lovelace <ada@example.com>', tags: ['contact'] });
    expect(String(mail?.text)).toContain('Please call me.');
  });

  it('keeps the request when Mailgun fails, marked for a resend', async () => {
    await stack.fault('mailgun', { mode: 'error', count: 1 });
    const res = await stack.call('POST', '/v1/public/contact', { body: { ...form, message: 'Mail will fail.' } });
    expect(res.status).toBe(202);
    const rows = (await stack.scan()).filter((r) => r.pk === `CONTACT#${res.body.requestId}`);
    expect(rows[0]).toMatchObject({ message: 'Mail will fail.', mailStatus: 'failed' });
  });

  it('refuses a bad email without storing anything', async () => {
    const count = (await stack.scan()).length;
    const res = await stack.call('POST', '/v1/public/contact', { body: { ...form, email: 'not-an-email' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body.email', message: expect.any(String) }]);
    expect(await stack.scan()).toHaveLength(count);
  });
});
