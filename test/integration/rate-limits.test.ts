// The public forms' rate limits through the local API, with a limit of 3 per client address and hour
// set in this stack's environment: the request over the limit is 429 with Retry-After until the
// window ends and writes nothing, the count is per address, concurrent requests cannot pass it
// together, and the count lives in the table, where every Lambda instance sees it. Each test sends
// from its own loopback address (127.0.0.x), which the local API hands the function as the source IP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_PK_PREFIX, rateLimitsRepository } from '../../shared/db/rate-limits';
import { CONTACT_RATE_LIMIT } from '../../shared/domain/contact';
import { SUPPORT_TICKET_RATE_LIMIT } from '../../shared/domain/support-ticket';
import { postFrom } from '../support/post-from';
import { recaptchaToken } from '../support/recaptcha';
import { startTestStack, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';

const LIMIT = 3;
const HOUR = 3600;
const VARS = ['RATE_LIMIT_CONTACT_PER_HOUR', 'RATE_LIMIT_SUPPORT_TICKET_PER_HOUR'] as const;

let stack: TestStack;
beforeAll(async () => {
  // Before the stack: a handler reads its configuration at its first request, as at a cold start.
  for (const v of VARS) process.env[v] = String(LIMIT);
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
  for (const v of VARS) delete process.env[v];
});

const post = (from: string, path: string, body: unknown) => postFrom(stack, from, path, body);

const ticket = () => ({
  email: 'grace@example.com',
  title: 'Limited',
  content: 'Counting.',
  ticketPriority: 'minor',
  recaptchaToken: recaptchaToken('support_ticket'),
});
const contact = () => ({ name: 'Ada', email: 'ada@example.com', message: 'Counting.', recaptchaToken: recaptchaToken('contact') });

const rowsFrom = async (prefix: string, ip: string) => (await stack.scan()).filter((r) => String(r.pk).startsWith(prefix) && r.sourceIp === ip);
const counterOf = async (form: string, ip: string) =>
  (await stack.scan()).find((r) => String(r.pk).startsWith(`${RATE_LIMIT_PK_PREFIX}${form}#${ip}#`));

/** The current window's bounds; waits for the next window when this one is about to end. */
async function window(): Promise<{ start: number; end: number }> {
  let now = Math.floor(Date.now() / 1000);
  if (HOUR - (now % HOUR) < 10) {
    await new Promise((r) => setTimeout(r, (HOUR - (now % HOUR) + 1) * 1000));
    now = Math.floor(Date.now() / 1000);
  }
  const start = now - (now % HOUR);
  return { start, end: start + HOUR };
}

describe('rate limits of the public forms', () => {
  it(`support tickets: the ${LIMIT + 1}th within the hour from one address is 429 with Retry-After until the window ends, and writes nothing`, async () => {
    const ip = '127.0.0.11';
    const { end } = await window();
    for (let i = 0; i < LIMIT; i++) expect((await post(ip, '/v1/public/support-tickets', ticket())).status).toBe(201);
    const before = await settle(stack);
    const mailsBefore = (await stack.mails()).length;

    const refused = await post(ip, '/v1/public/support-tickets', ticket());
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ type: 'urn:fonella:problem:rate-limited', status: 429 });
    const retryAfter = Number(refused.headers['retry-after']);
    const untilEnd = end - Date.now() / 1000;
    expect(retryAfter).toBeGreaterThanOrEqual(Math.floor(untilEnd) - 2);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(untilEnd) + 1);

    await stack.streams.idle();
    await expectUnchanged(stack, before, 'a ticket over the limit');
    expect(await rowsFrom('TICKET#', ip)).toHaveLength(LIMIT);
    expect((await stack.mails()).length).toBe(mailsBefore);
    // The counter is a row of the table, with the count and a TTL at the window's end.
    expect(await counterOf(SUPPORT_TICKET_RATE_LIMIT, ip)).toMatchObject({ hits: LIMIT, ttl: end });

    // reCAPTCHA comes first: a bad token is refused as such, even over the limit.
    const bot = await post(ip, '/v1/public/support-tickets', { ...ticket(), recaptchaToken: recaptchaToken('support_ticket', 0.1) });
    expect(bot.status).toBe(403);
    expect(bot.body.type).toBe('urn:fonella:problem:recaptcha-low-score');
  });

  it('each address is counted on its own', async () => {
    await window();
    for (let i = 0; i < LIMIT; i++) expect((await post('127.0.0.12', '/v1/public/support-tickets', ticket())).status).toBe(201);
    expect((await post('127.0.0.12', '/v1/public/support-tickets', ticket())).status).toBe(429);
    expect((await post('127.0.0.13', '/v1/public/support-tickets', ticket())).status).toBe(201);
  });

  it(`contact form: the ${LIMIT + 1}th within the hour from one address is 429 with Retry-After, no row, no email`, async () => {
    const ip = '127.0.0.14';
    await window();
    for (let i = 0; i < LIMIT; i++) expect((await post(ip, '/v1/public/contact', contact())).status).toBe(202);
    const before = await settle(stack);
    const refused = await post(ip, '/v1/public/contact', contact());
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ type: 'urn:fonella:problem:rate-limited', status: 429 });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(HOUR);
    await stack.streams.idle();
    await expectUnchanged(stack, before, 'a contact form over the limit');
    expect(await rowsFrom('CONTACT#', ip)).toHaveLength(LIMIT);
    expect(await counterOf(CONTACT_RATE_LIMIT, ip)).toMatchObject({ hits: LIMIT });
  });

  it(`20 concurrent tickets from one address with a limit of ${LIMIT}: exactly ${LIMIT} stored and emailed, the rest refused`, async () => {
    const ip = '127.0.0.15';
    await window();
    const mailsBefore = (await stack.mails()).length;
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(ip, '/v1/public/support-tickets', ticket())));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(LIMIT);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(20 - LIMIT);
    await stack.streams.idle();
    expect(await rowsFrom('TICKET#', ip)).toHaveLength(LIMIT);
    expect((await stack.mails()).length - mailsBefore).toBe(2 * LIMIT);
    expect(await counterOf(SUPPORT_TICKET_RATE_LIMIT, ip)).toMatchObject({ hits: LIMIT });
  });

  it('the count lives in the table: a window that another instance filled refuses the request', async () => {
    const ip = '127.0.0.16';
    const w = await window();
    // Another function instance (here: another table client) counted this address's requests.
    const elsewhere = rateLimitsRepository(stack.table);
    for (let i = 0; i < LIMIT; i++) {
      expect(await elsewhere.hit({ form: SUPPORT_TICKET_RATE_LIMIT, client: ip, windowStart: w.start, windowEnd: w.end }, LIMIT)).toBe(i + 1);
    }
    const refused = await post(ip, '/v1/public/support-tickets', ticket());
    expect(refused.status).toBe(429);
    expect(await rowsFrom('TICKET#', ip)).toHaveLength(0);
  });
});
