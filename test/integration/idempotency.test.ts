// Idempotency-Key on the routes that create something (today POST /v1/public/contact), through the
// local API: a retry with the same key gets the first answer and creates nothing twice. An anonymous
// key is the sending client's: the same key from another address is another request on every
// public form (distinct clients come from distinct loopback addresses).
import { randomInt, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { postFrom } from '../support/post-from';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { partition } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const PATH = '/v1/public/contact';
/** A form whose message marks it, so rows and emails of one test are told apart. */
const form = () => {
  const marker = `idem-${randomUUID()}`;
  return { marker, body: { name: 'Grace Hopper', email: 'grace@example.com', company: 'Navy', message: `Please call back. ${marker}` } };
};
const post = (body: unknown, key?: string) => stack.call('POST', PATH, { body, headers: key === undefined ? {} : { 'idempotency-key': key } });

const contactRows = async (marker: string) =>
  (await stack.scan()).filter((r) => String(r.pk).startsWith('CONTACT#') && String(r.message).includes(marker));
const mailsFor = async (marker: string) => (await stack.mails()).filter((m) => String(m.text).includes(marker));

describe('POST /v1/public/contact with Idempotency-Key', () => {
  it('the same key and body twice: the identical answer, one row, one email', async () => {
    const { marker, body } = form();
    const key = randomUUID();
    const first = await post(body, key);
    expect(first.status).toBe(202);
    const second = await post(body, key);
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));

    await waitFor('the contact email', async () => (await mailsFor(marker)).length > 0);
    await stack.streams.idle();
    expect(await contactRows(marker)).toHaveLength(1);
    expect(await mailsFor(marker)).toHaveLength(1);

    // The key's record lives in the table and expires through its TTL, a day from now.
    const records = await partition(stack, 'IDEMPOTENCY#submitContact');
    expect(records.length).toBeGreaterThanOrEqual(1);
    const now = Date.now() / 1000;
    for (const r of records) {
      expect(Number(r.ttl)).toBeGreaterThan(now + 23 * 3600);
      expect(Number(r.ttl)).toBeLessThan(now + 25 * 3600);
    }
  });

  it('a replay answers with the same CORS headers as the first answer', async () => {
    const { body } = form();
    const key = randomUUID();
    const headers = { 'idempotency-key': key, origin: 'http://localhost:5173' };
    const first = await stack.call('POST', PATH, { body, headers });
    const again = await stack.call('POST', PATH, { body, headers });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('the same key with another body: 422 idempotency-key-reused, nothing new stored or sent', async () => {
    const a = form();
    const b = form();
    const key = randomUUID();
    expect((await post(a.body, key)).status).toBe(202);
    await stack.streams.idle();
    const before = await stack.scan();

    const res = await post(b.body, key);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: 'urn:fonella:problem:idempotency-key-reused', status: 422 });

    await stack.streams.idle();
    expect(await stack.scan()).toEqual(expect.arrayContaining(before));
    expect(await stack.scan()).toHaveLength(before.length);
    expect(await contactRows(b.marker)).toHaveLength(0);
    expect(await mailsFor(b.marker)).toHaveLength(0);
  });

  it('without a key the same body twice is two requests: two rows', async () => {
    const { marker, body } = form();
    const first = await post(body);
    const second = await post(body);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.requestId).not.toBe(first.body.requestId);
    expect(await contactRows(marker)).toHaveLength(2);
  });

  it('the same key sent concurrently: one row; every answer is the first one, or 409 while it runs', async () => {
    const { marker, body } = form();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(body, key)));
    const accepted = answers.filter((r) => r.status === 202);
    const busy = answers.filter((r) => r.status !== 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    for (const r of accepted) expect(r.body).toEqual(accepted[0]!.body);
    for (const r of busy) {
      expect(r.status).toBe(409);
      expect(r.body.type).toBe('urn:fonella:problem:idempotency-in-progress');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(await contactRows(marker)).toHaveLength(1);
    // Once the first has finished, the key answers with it.
    const later = await post(body, key);
    expect(later.status).toBe(202);
    expect(later.body).toEqual(accepted[0]!.body);
  });

  it.each([
    ['over-long (256 characters)', 'k'.repeat(256)],
    ['empty', ''],
    ['not ASCII', 'schlüssel'],
  ])('a key that is %s: 400 validation, nothing written', async (_what, key) => {
    const { marker, body } = form();
    const before = (await stack.scan()).length;
    const res = await post(body, key);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:fonella:problem:validation');
    expect(res.body.errors).toEqual([{ path: 'headers.idempotency-key', message: expect.any(String) }]);
    expect(await stack.scan()).toHaveLength(before);
    expect(await contactRows(marker)).toHaveLength(0);
  });

  it('a key of 255 characters is taken', async () => {
    const { marker, body } = form();
    const res = await post(body, randomUUID() + 'k'.repeat(255 - 36));
    expect(res.status).toBe(202);
    expect(await contactRows(marker)).toHaveLength(1);
  });

  it('a refused request stores no record: the key stays free for the corrected request', async () => {
    const { marker, body } = form();
    const key = randomUUID();
    const before = (await stack.scan()).length;
    const bad = await post({ ...body, email: 'not-an-email' }, key);
    expect(bad.status).toBe(400);
    expect(await stack.scan()).toHaveLength(before);

    const good = await post(body, key);
    expect(good.status).toBe(202);
    expect(await contactRows(marker)).toHaveLength(1);
  });

  it('a retry whose first write landed late (its record gone after a 503) finds that row: same id, one row, one email', async () => {
    const { marker, body } = form();
    const key = randomUUID();
    const first = await post(body, key);
    expect(first.status).toBe(202);
    // After a 503 from a hung table, Powertools removes the in-progress record while the write
    // itself still lands: the state a retry then meets.
    await forgetIdempotencyRecords();
    const retry = await post(body, key);
    expect(retry.status).toBe(202);
    expect(retry.body.requestId).toBe(first.body.requestId);
    await waitFor('the contact email', async () => (await mailsFor(marker)).length > 0);
    await stack.streams.idle();
    expect(await contactRows(marker)).toHaveLength(1);
    expect(await mailsFor(marker)).toHaveLength(1);

    await forgetIdempotencyRecords();
    const other = await post({ ...body, message: `${body.message} (changed)` }, key);
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('urn:fonella:problem:idempotency-key-reused');
    expect(await contactRows(marker)).toHaveLength(1);
  });
});

describe('anonymous Idempotency-Keys are per client address', () => {
  /** Each public form: two different bodies, the path, and the id its answer names. */
  const forms = [
    {
      form: 'contact',
      path: '/v1/public/contact',
      body: (n: number) => ({ name: 'Grace Hopper', email: `sender${n}@example.com`, message: `Message ${n} ${randomUUID()}` }),
      id: (b: Record<string, unknown>) => b.requestId,
    },
    {
      form: 'support ticket',
      path: '/v1/public/support-tickets',
      body: (n: number) => ({ email: `sender${n}@example.com`, title: `Ticket ${n}`, content: `No calls ${randomUUID()}`, ticketPriority: 'minor' }),
      id: (b: Record<string, unknown>) => b.ticketNumber,
    },
    {
      form: 'test callback',
      path: '/v1/public/callback-requests',
      body: (n: number) => ({ phoneNumber: `+49170${String(randomInt(1e7)).padStart(7, '0')}`, company: `Firma ${n}` }),
      id: (b: Record<string, unknown>) => b.requestId,
    },
  ];

  it.each(forms)(
    '$form: another sender\'s same key neither blocks (422) nor replays: each gets its own answer; the first sender\'s retry still replays',
    async ({ path, body, id }) => {
      const key = randomUUID();
      const [a, b] = [body(1), body(2)];
      const first = await postFrom(stack, '127.0.0.81', path, a, { 'idempotency-key': key });
      expect(first.status).toBeLessThan(300);
      // Another client, another body, the same key: its own request, not 422 idempotency-key-reused.
      const other = await postFrom(stack, '127.0.0.82', path, b, { 'idempotency-key': key });
      expect(other.status, JSON.stringify(other.body)).toBe(first.status);
      expect(id(other.body)).not.toBe(id(first.body));
      // A third client with the first's very body: its own request, not the first sender's stored answer.
      const third = await postFrom(stack, '127.0.0.83', path, a, { 'idempotency-key': key });
      expect(third.status).toBe(first.status);
      expect(id(third.body)).not.toBe(id(first.body));
      // The first sender's retry: the stored answer.
      const retry = await postFrom(stack, '127.0.0.81', path, a, { 'idempotency-key': key });
      expect(retry.body).toEqual(first.body);
    },
  );

  it('contact: a retry whose record is gone (after a 503) finds its own row, not another sender\'s', async () => {
    const key = randomUUID();
    const { marker, body } = form();
    const mine = await postFrom(stack, '127.0.0.84', PATH, body, { 'idempotency-key': key });
    const theirs = await postFrom(stack, '127.0.0.85', PATH, { ...body, message: `${body.message} (theirs)` }, { 'idempotency-key': key });
    expect([mine.status, theirs.status]).toEqual([202, 202]);
    await forgetIdempotencyRecords();
    const retry = await postFrom(stack, '127.0.0.84', PATH, body, { 'idempotency-key': key });
    expect(retry.body.requestId).toBe(mine.body.requestId);
    expect(await contactRows(marker)).toHaveLength(2);
  });
});

async function forgetIdempotencyRecords() {
  const { DeleteCommand } = await import('@aws-sdk/lib-dynamodb');
  for (const row of (await stack.scan()).filter((r) => String(r.pk).startsWith('IDEMPOTENCY#'))) {
    await stack.table.doc.send(new DeleteCommand({ TableName: stack.table.tableName, Key: { pk: row.pk, sk: row.sk } }));
  }
}
