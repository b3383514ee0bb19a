// The public forms' use cases with the real repositories on a DynamoDB Local of this file's own and the real reCAPTCHA adapter: what the local stack cannot show because it lets a
// missing token through (a deployed stage's configuration requires one), the clash of two ticket
// numbers, and the rate limit's window arithmetic and key.
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIGHT_JVM, ensureTable, startDynamoLocal, type DynamoLocal } from '../../lib/local/dynamo';
import { tableRef, type TableRef } from '../../shared/db/client';
import { contactsRepository } from '../../shared/db/contacts';
import { RATE_LIMIT_PK_PREFIX, rateLimitsRepository } from '../../shared/db/rate-limits';
import { ticketsRepository, type TicketRow } from '../../shared/db/tickets';
import { submitContactRequest } from '../../shared/domain/contact';
import { enforceRateLimit, refusalOf } from '../../shared/domain/public-form-guards';
import { clientKey, clientScopedKey } from '../../shared/net/client-key';
import { TICKET_NUMBER_ATTEMPTS, submitSupportTicket, type SubmitTicketDeps } from '../../shared/domain/support-ticket';
import { TICKET_NUMBER_PATTERN, randomTicketNumber, ticketNumberFromKey } from '../../shared/model/ticket-number';
import { RateLimitedError, RecaptchaRefusedError } from '../../shared/errors';
import { recaptchaVerifier } from '../../shared/providers/recaptcha/adapter';
import { recaptchaConfig } from '../../shared/providers/recaptcha/config';

let dynamo: DynamoLocal;
let table: TableRef;
beforeAll(async () => {
  dynamo = await startDynamoLocal({ jvmOptions: LIGHT_JVM });
  const tableName = `forms-${randomUUID().slice(0, 8)}`;
  await ensureTable(dynamo.endpoint, tableName);
  table = tableRef({ tableName, endpoint: dynamo.endpoint });
});
afterAll(async () => {
  table?.client.destroy();
  await dynamo?.stop();
});

const scan = async () => ((await table.doc.send(new ScanCommand({ TableName: table.tableName }))).Items ?? []) as Record<string, unknown>[];

/** The reCAPTCHA adapter with a deployed stage's rule (RECAPTCHA_OPTIONAL off), or the local stack's. */
const verifier = (optional: boolean) =>
  recaptchaVerifier(recaptchaConfig.parse({ STAGE: 'test', RECAPTCHA_OPTIONAL: optional ? '1' : '0' }));

const rule = { limit: 1000, windowSeconds: 3600 };
const ticketDeps = (over: Partial<SubmitTicketDeps> = {}): SubmitTicketDeps => ({
  tickets: ticketsRepository(table),
  humanCheck: verifier(true),
  rateLimits: rateLimitsRepository(table),
  rateLimit: rule,
  retentionDays: 180,
  ...over,
});
const ticketForm = { email: 'grace@example.com', title: 'No calls', content: 'Since 9:00.', ticketPriority: 'major' as const };

describe('a missing reCAPTCHA token where configuration requires one', () => {
  it('the support ticket is refused with recaptcha-missing, and nothing is written, not even a count', async () => {
    const before = await scan();
    const err = await submitSupportTicket(ticketDeps({ humanCheck: verifier(false) }), { form: ticketForm, sourceIp: '198.51.100.1', locale: 'de' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecaptchaRefusedError);
    expect(err).toMatchObject({ status: 403, slug: 'recaptcha-missing' });
    expect(await scan()).toEqual(before);
  });

  it('the contact form without a token is accepted on such a stage too (the seed sends none), held by the token-less limits per address and per email', async () => {
    const tight = { limit: 2, windowSeconds: 3600 };
    const deps = {
      contacts: contactsRepository(table),
      humanCheck: verifier(false),
      rateLimits: rateLimitsRepository(table),
      rateLimit: rule,
      withoutToken: { perAddress: tight, perEmail: { limit: 1, windowSeconds: 86_400 } },
      retentionDays: 180,
    };
    const form = (email: string) => ({ name: 'Ada', email, message: 'I would like to book a demo.' });
    const { requestId } = await submitContactRequest(deps, form('ada@example.com'), '198.51.100.7');
    expect((await scan()).filter((r) => r.pk === `CONTACT#${requestId}`)).toHaveLength(1);
    // The same sender email again, from another address: the per-email limit (1 a day) refuses it.
    const perEmail = await submitContactRequest(deps, form(' ADA@example.com'), '198.51.100.8').catch((e: unknown) => e);
    expect(perEmail).toBeInstanceOf(RateLimitedError);
    // The address: two token-less messages an hour, whatever the email.
    await submitContactRequest(deps, form('bea@example.com'), '198.51.100.7');
    const perAddress = await submitContactRequest(deps, form('cem@example.com'), '198.51.100.7').catch((e: unknown) => e);
    expect(perAddress).toMatchObject({ status: 429 });
    // The counters' keys hold no email address.
    expect((await scan()).filter((r) => String(r.pk).startsWith(RATE_LIMIT_PK_PREFIX) && String(r.pk).includes('@'))).toEqual([]);
    // A token that comes is verified as before: an empty one is refused, and writes nothing.
    const before = await scan();
    const refused = await submitContactRequest(deps, { ...form('dora@example.com'), recaptchaToken: '' }, '198.51.100.9').catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 403, slug: 'recaptcha-missing' });
    expect(await scan()).toEqual(before);
  });

  it('where configuration lets it through (the local stack), the same ticket is stored', async () => {
    const { ticketNumber } = await submitSupportTicket(ticketDeps(), { form: ticketForm, sourceIp: '198.51.100.1', locale: 'de' });
    expect(ticketNumber).toMatch(TICKET_NUMBER_PATTERN);
    expect((await scan()).filter((r) => r.pk === `TICKET#${ticketNumber}`)).toHaveLength(1);
  });
});

describe('the reason a refusal is answered with', () => {
  it.each([
    [['token-missing'], 'missing'],
    [['invalid-input-response'], 'failed'],
    [['timeout-or-duplicate'], 'failed'],
    [['not-verified'], 'failed'],
    [['action-mismatch'], 'action-mismatch'],
    [['low-score'], 'low-score'],
    [['action-mismatch', 'low-score'], 'action-mismatch'],
    [[], 'failed'],
  ])('%j → %s', (reasons, reason) => expect(refusalOf({ reasons })).toBe(reason));
});

describe('ticket numbers', () => {
  it('are FON- and six characters of the unambiguous alphabet, drawn at random', () => {
    const drawn = Array.from({ length: 2000 }, randomTicketNumber);
    for (const n of drawn) expect(n).toMatch(/^FON-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}$/);
    expect(new Set(drawn).size).toBe(drawn.length);
    expect(drawn.map((n) => n.slice('FON-'.length)).join('')).not.toMatch(/[01ILOU]/);
  });

  it('a number that is taken is not overwritten: another one is drawn', async () => {
    const taken = randomTicketNumber();
    const first = await submitSupportTicket(ticketDeps({ newTicketNumber: () => taken }), { form: ticketForm, sourceIp: '198.51.100.2', locale: 'de' });
    expect(first.ticketNumber).toBe(taken);
    const other = randomTicketNumber();
    const tried: number[] = [];
    const second = await submitSupportTicket(
      ticketDeps({ newTicketNumber: (attempt) => (tried.push(attempt), attempt === 0 ? taken : other) }),
      { form: { ...ticketForm, title: 'Another ticket' }, sourceIp: '198.51.100.2', locale: 'en' },
    );
    expect(second.ticketNumber).toBe(other);
    expect(tried).toEqual([0, 1]);
    const rows = (await scan()) as unknown as TicketRow[];
    expect(rows.find((r) => r.ticketNumber === taken)).toMatchObject({ title: 'No calls', locale: 'de' });
    expect(rows.find((r) => r.ticketNumber === other)).toMatchObject({ title: 'Another ticket', locale: 'en' });
  });

  it(`gives up after ${TICKET_NUMBER_ATTEMPTS} taken numbers, storing nothing`, async () => {
    const taken = randomTicketNumber();
    await submitSupportTicket(ticketDeps({ newTicketNumber: () => taken }), { form: ticketForm, sourceIp: '198.51.100.3', locale: 'de' });
    const before = (await scan()).filter((r) => String(r.pk).startsWith('TICKET#'));
    await expect(
      submitSupportTicket(ticketDeps({ newTicketNumber: () => taken }), { form: ticketForm, sourceIp: '198.51.100.3', locale: 'de' }),
    ).rejects.toThrow(/no free ticket number/);
    expect((await scan()).filter((r) => String(r.pk).startsWith('TICKET#'))).toEqual(before);
  });

  it('with an Idempotency-Key: a retry finds its ticket; a clash with another ticket moves on to the next number', async () => {
    const key = randomUUID();
    // The numbers come from the key in the sender's client scope.
    const scoped = clientScopedKey(key, '198.51.100.4');
    // Another ticket already holds the key's first number.
    await submitSupportTicket(ticketDeps({ newTicketNumber: () => ticketNumberFromKey(scoped, 0) }), { form: ticketForm, sourceIp: '198.51.100.4', locale: 'de' });
    const first = await submitSupportTicket(ticketDeps(), { form: { ...ticketForm, title: 'Keyed' }, sourceIp: '198.51.100.4', locale: 'de', idempotencyKey: key });
    expect(first.ticketNumber).toBe(ticketNumberFromKey(scoped, 1));
    const retry = await submitSupportTicket(ticketDeps(), { form: { ...ticketForm, title: 'Keyed' }, sourceIp: '198.51.100.4', locale: 'de', idempotencyKey: key });
    expect(retry.ticketNumber).toBe(first.ticketNumber);
    expect((await scan()).filter((r) => r.title === 'Keyed')).toHaveLength(1);
    await expect(
      submitSupportTicket(ticketDeps(), { form: { ...ticketForm, title: 'Other' }, sourceIp: '198.51.100.4', locale: 'de', idempotencyKey: key }),
    ).rejects.toMatchObject({ status: 422, slug: 'idempotency-key-reused' });
  });
});

describe('the rate limit', () => {
  const window = { limit: 2, windowSeconds: 3600 };
  // 10:59:10 UTC: 50 s before the window ends.
  const now = new Date('2026-11-25T10:59:10Z');
  const windowEnd = Date.parse('2026-11-25T11:00:00Z') / 1000;

  it('counts per form and client in the clock-aligned window; over the limit: 429 with the seconds until it ends, nothing written', async () => {
    const guard = (form: string, sourceIp: string) => enforceRateLimit(rateLimitsRepository(table), { form, sourceIp, rule: window, now });
    await guard('unit-form', '203.0.113.9');
    await guard('unit-form', '203.0.113.9');
    const before = await scan();
    const err = await guard('unit-form', '203.0.113.9').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ status: 429, slug: 'rate-limited', headers: { 'retry-after': '50' } });
    expect(await scan()).toEqual(before);
    // Another client, another form: their own counts.
    await guard('unit-form', '203.0.113.10');
    await guard('other-form', '203.0.113.9');

    const counters = (await scan()).filter((r) => String(r.pk).startsWith(RATE_LIMIT_PK_PREFIX));
    expect(counters).toContainEqual(expect.objectContaining({ pk: `${RATE_LIMIT_PK_PREFIX}unit-form#203.0.113.9#${windowEnd - 3600}`, hits: 2, ttl: windowEnd }));
    expect(counters).toContainEqual(expect.objectContaining({ pk: `${RATE_LIMIT_PK_PREFIX}unit-form#203.0.113.10#${windowEnd - 3600}`, hits: 1 }));
    expect(counters).toContainEqual(expect.objectContaining({ pk: `${RATE_LIMIT_PK_PREFIX}other-form#203.0.113.9#${windowEnd - 3600}`, hits: 1 }));
    // The next window starts from nothing.
    await enforceRateLimit(rateLimitsRepository(table), { form: 'unit-form', sourceIp: '203.0.113.9', rule: window, now: new Date(windowEnd * 1000) });
  });

  it('counts an IPv6 client by its /64 network, an IPv4 one by its address', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('2001:db8:85a3:0042:1000:8a2e:370:7334')).toBe('2001:db8:85a3:42::/64');
    expect(clientKey('2001:db8:85a3:42:ffff::1')).toBe('2001:db8:85a3:42::/64');
    expect(clientKey('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
  });
});
