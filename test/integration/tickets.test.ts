// POST /v1/public/support-tickets through the local API, and its two emails from the table's stream:
// the number, the row, the support inbox's email and the sender's confirmation (each exactly once,
// in the sender's language), validation, and each reCAPTCHA refusal changing nothing.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { invoke, lambdaContext } from '../../lib/local/lambda';
import { RATE_LIMIT_PK_PREFIX } from '../../shared/db/rate-limits';
import { recaptchaToken } from '../support/recaptcha';
import { workerStack, waitFor, type SentMail, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { partition } from '../support/users';

const PATH = '/v1/public/support-tickets';
const NUMBER = /^FON-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}$/;

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const ticket = (over: Record<string, unknown> = {}) => ({
  email: 'grace@example.com',
  title: 'The assistant does not answer',
  content: 'Since this morning every call rings out.\nOur number: +49 30 1234567',
  ticketPriority: 'critical',
  recaptchaToken: recaptchaToken('support_ticket'),
  ...over,
});
const submit = (body: unknown, headers: Record<string, string> = {}) => stack.call('POST', PATH, { body, headers });

const mailsFor = async (ticketNumber: string) => (await stack.mails()).filter((m) => m.variables.ticketNumber === ticketNumber);
const rowOf = async (ticketNumber: string) => (await partition(stack, `TICKET#${ticketNumber}`))[0];
const tickets = async () => (await stack.scan()).filter((r) => String(r.pk).startsWith('TICKET#'));
const counted = async () =>
  (await stack.scan()).filter((r) => String(r.pk).startsWith(RATE_LIMIT_PK_PREFIX)).reduce((n, r) => n + Number(r.hits), 0);

/** Waits for both emails and both marks, then for the stream to be idle. */
async function delivered(ticketNumber: string): Promise<{ support: SentMail; confirmation: SentMail }> {
  await waitFor('both marks on the row', async () => {
    const row = await rowOf(ticketNumber);
    return Boolean(row?.supportMailId && row.confirmationMailId);
  });
  await stack.streams.idle();
  const mails = await mailsFor(ticketNumber);
  const support = mails.filter((m) => m.variables.mail === 'support');
  const confirmation = mails.filter((m) => m.variables.mail === 'confirmation');
  expect(support).toHaveLength(1);
  expect(confirmation).toHaveLength(1);
  return { support: support[0]!, confirmation: confirmation[0]! };
}

describe('POST /v1/public/support-tickets', () => {
  it('stores the ticket under a new, human-readable number and answers 201 with it', async () => {
    const res = await submit(ticket());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ ticketNumber: expect.stringMatching(NUMBER), status: 'received' });
    const row = await rowOf(res.body.ticketNumber);
    expect(row).toMatchObject({
      sk: 'TICKET',
      email: 'grace@example.com',
      title: 'The assistant does not answer',
      ticketPriority: 'critical',
      locale: 'de',
      sourceIp: '127.0.0.1',
      gsi2pk: 'TICKETS',
    });
    // The token is checked, never stored.
    expect(JSON.stringify(row)).not.toContain('pass:support_ticket');
    // Kept for the configured retention (local default 180 days), then DynamoDB deletes it.
    expect(row!.ttl).toBeGreaterThan(Date.now() / 1000 + 179 * 86400);
    expect(row!.ttl).toBeLessThan(Date.now() / 1000 + 181 * 86400);

    const more = await Promise.all(Array.from({ length: 5 }, () => submit(ticket())));
    const numbers = new Set([res.body.ticketNumber, ...more.map((r) => r.body.ticketNumber)]);
    expect(numbers.size).toBe(6);
  });

  it('emails the support inbox (priority in the subject, reply-to the sender alone) and confirms to the sender in German by default, each once', async () => {
    const res = await submit(ticket());
    const n = res.body.ticketNumber as string;
    const { support, confirmation } = await delivered(n);

    expect(support).toMatchObject({ to: ['support@fonella.local'], replyTo: 'grace@example.com', tags: ['support-ticket'] });
    expect(support.subject).toBe(`[critical] Support ticket ${n}: The assistant does not answer`);
    // Multipart form fields carry their line breaks as CRLF.
    expect(support.text?.replace(/\r\n/g, '\n')).toContain('Since this morning every call rings out.\nOur number: +49 30 1234567');
    expect(support.html).toContain('Since this morning every call rings out.<br>');

    expect(confirmation).toMatchObject({ to: ['grace@example.com'], replyTo: 'support@fonella.local', tags: ['support-ticket-confirmation'] });
    expect(confirmation.subject).toBe(`Ihr Support-Ticket ${n}`);
    expect(confirmation.text).toContain(`Wir haben Ihr Support-Ticket ${n} erhalten`);
    expect(confirmation.html).toContain('<html lang="de">');

    expect(await rowOf(n)).toMatchObject({ supportMailId: support.id, confirmationMailId: confirmation.id });
  });

  it('confirms in English with Accept-Language: en', async () => {
    const res = await submit(ticket(), { 'accept-language': 'en' });
    const { confirmation, support } = await delivered(res.body.ticketNumber);
    expect(confirmation.subject).toBe(`Your support ticket ${res.body.ticketNumber}`);
    expect(confirmation.text).toContain('We have received your support ticket');
    expect(confirmation.html).toContain('<html lang="en">');
    expect(support.text).toContain('Language: English');
    expect(await rowOf(res.body.ticketNumber)).toMatchObject({ locale: 'en' });

    // The first of our languages in the browser's order; none of ours: German.
    const fr = await submit(ticket(), { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' });
    expect(await rowOf(fr.body.ticketNumber)).toMatchObject({ locale: 'en' });
    const tr = await submit(ticket(), { 'accept-language': 'tr-TR,tr;q=0.9' });
    expect(await rowOf(tr.body.ticketNumber)).toMatchObject({ locale: 'de' });
  });

  it('escapes what the sender typed in the HTML of both emails', async () => {
    const res = await submit(ticket({ title: 'Broken <b>page</b> & "quotes"', content: '<script>alert(1)</script>\n<img src=x onerror=alert(1)>' }));
    const { support, confirmation } = await delivered(res.body.ticketNumber);
    expect(support.html).toContain('Broken &lt;b&gt;page&lt;/b&gt; &amp; &quot;quotes&quot;');
    expect(support.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(support.html).not.toMatch(/<script|<img|<b>page/);
    expect(confirmation.html).toContain('Broken &lt;b&gt;page&lt;/b&gt;');
    expect(confirmation.html).not.toContain('<b>page');
    expect(support.text).toContain('<script>alert(1)</script>');
  });

  it('sends each email once even when its stream record is handled twice, and marks each on its own', async () => {
    const res = await submit(ticket({ ticketPriority: 'minor' }));
    const n = res.body.ticketNumber as string;
    await delivered(n);
    const row = (await rowOf(n))!;
    const { supportMailId: _s, supportSentAt: _sa, confirmationMailId: _c, confirmationSentAt: _ca, ...inserted } = row;
    const record: DynamoDBRecord = {
      eventID: `redelivered-${n}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall({ pk: row.pk, sk: row.sk }) as never,
        NewImage: marshall(inserted, { removeUndefinedValues: true }) as never,
        SequenceNumber: '900000000000000000002',
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    const { handler } = (await import('../../functions/streams/deliver-ticket-emails')) as {
      handler: (e: DynamoDBStreamEvent, c: unknown) => Promise<{ batchItemFailures: unknown[] }>;
    };
    const handle = async () => {
      const context = lambdaContext('deliverTicketEmails', 30_000);
      const out = await invoke(context, () => handler({ Records: [record] }, context));
      expect(out.batchItemFailures).toEqual([]);
    };
    await handle();
    await handle();
    expect(await mailsFor(n)).toHaveLength(2);

    // As if the confirmation had failed after the support email went out: only it is sent again.
    await stack.table.doc.send(
      new UpdateCommand({ TableName: stack.table.tableName, Key: { pk: row.pk, sk: row.sk }, UpdateExpression: 'REMOVE confirmationMailId, confirmationSentAt' }),
    );
    await handle();
    const mails = await mailsFor(n);
    expect(mails.filter((m) => m.variables.mail === 'support')).toHaveLength(1);
    expect(mails.filter((m) => m.variables.mail === 'confirmation')).toHaveLength(2);
    expect((await rowOf(n))!.confirmationMailId).toBe(mails.filter((m) => m.variables.mail === 'confirmation')[1]!.id);
  });

  it('with Mailgun failing twice, both emails still arrive, once each', async () => {
    await stack.streams.idle();
    await stack.fault('mailgun', { mode: 'error', count: 2 });
    const res = await submit(ticket({ ticketPriority: 'blocker' }));
    const { support } = await delivered(res.body.ticketNumber);
    expect(support.subject).toMatch(/^\[blocker\] /);
  });

  it('refuses invalid fields with 400, naming each, and stores nothing', async () => {
    const before = await settle(stack);
    const bad = await submit({ email: 'not-an-email', title: 'two\nlines', content: ' ', ticketPriority: 'urgent', recaptchaToken: 'has a space' });
    expect(bad.status).toBe(400);
    expect(bad.body.type).toBe('urn:fonella:problem:validation');
    const paths = bad.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.email', 'body.title', 'body.content', 'body.ticketPriority', 'body.recaptchaToken']));

    const missing = await submit({});
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body.email', 'body.title', 'body.content', 'body.ticketPriority']),
    );
    const long = await submit(ticket({ title: 'x'.repeat(201), content: 'y'.repeat(10_001), priority: 'major' }));
    expect(long.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['body.title', 'body.content', 'body.priority']));
    await expectUnchanged(stack, before, 'invalid tickets');
  });

  it('without a token the local stack lets the ticket through (RECAPTCHA_OPTIONAL)', async () => {
    const { recaptchaToken: _none, ...body } = ticket();
    const res = await submit(body);
    expect(res.status).toBe(201);
  });
});

describe('reCAPTCHA on support tickets', () => {
  const verifications = async () => (await stack.inspect<{ verifications: { token: string; remoteIp?: string }[] }>('recaptcha')).verifications;

  it('a token minted for this form passes, verified with the client address', async () => {
    const token = recaptchaToken('support_ticket');
    const res = await submit(ticket({ recaptchaToken: token }));
    expect(res.status).toBe(201);
    expect(await verifications()).toContainEqual(expect.objectContaining({ token, remoteIp: '127.0.0.1' }));
  });

  it.each([
    ['a token Google does not verify', 'recaptcha-failed', () => 'fail'],
    ['a token minted for the contact form', 'recaptcha-action-mismatch', () => recaptchaToken('contact')],
    ['a token with a low score', 'recaptcha-low-score', () => recaptchaToken('support_ticket', 0.1)],
  ])('%s → 403 %s; nothing written, not even a rate-limit count, no email', async (what, type, token) => {
    const before = await settle(stack);
    const countedBefore = await counted();
    const ticketsBefore = (await tickets()).length;
    const sent = token();
    const res = await submit(ticket({ recaptchaToken: sent }));
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: `urn:fonella:problem:${type}`, status: 403 });
    // The check was made with the provider...
    expect((await verifications()).map((v) => v.token)).toContain(sent);
    // ...and nothing else happened.
    await stack.streams.idle();
    await expectUnchanged(stack, before, `a ticket with ${what}`);
    expect(await counted()).toBe(countedBefore);
    expect(await tickets()).toHaveLength(ticketsBefore);
  });
});

describe('reCAPTCHA tokens are good once, for two minutes', () => {
  /** A token as the browser gets it from grecaptcha.execute, issued `ageSeconds` ago (the emulator's /_token). */
  const issued = async (ageSeconds = 0) => {
    const res = await fetch(`${stack.emulators.recaptcha}/_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'support_ticket', score: 0.9, ageSeconds }),
    });
    return ((await res.json()) as { token: string }).token;
  };

  it('a token used once already → 403 recaptcha-failed, and the second ticket is not stored', async () => {
    const token = await issued();
    expect((await submit(ticket({ recaptchaToken: token }))).status).toBe(201);
    const before = await settle(stack);
    const again = await submit(ticket({ recaptchaToken: token, title: 'Replayed token' }));
    expect(again.status).toBe(403);
    expect(again.body.type).toBe('urn:fonella:problem:recaptcha-failed');
    await expectUnchanged(stack, before, 'a replayed token');
  });

  it('a token older than two minutes → 403 recaptcha-failed', async () => {
    const res = await submit(ticket({ recaptchaToken: await issued(300) }));
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:fonella:problem:recaptcha-failed');
  });
});

describe('Idempotency-Key on support tickets', () => {
  it('a retry with the same key and a new reCAPTCHA token gets the first answer: one ticket, two emails', async () => {
    const key = randomUUID();
    const body = ticket({ title: `Keyed ${key}` });
    const first = await submit(body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    // A token verifies once: the retry carries a new one, and is still the same request.
    const retry = await submit({ ...body, recaptchaToken: recaptchaToken('support_ticket') }, { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    await delivered(first.body.ticketNumber);
    expect((await tickets()).filter((r) => r.title === `Keyed ${key}`)).toHaveLength(1);

    const other = await submit({ ...body, title: 'Another request', recaptchaToken: recaptchaToken('support_ticket') }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('urn:fonella:problem:idempotency-key-reused');
  });
});
