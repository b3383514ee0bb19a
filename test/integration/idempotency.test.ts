// Idempotency-Key on the routes that create something (today POST /v1/public/contact), through the
// local API: a retry with the same key gets the first answer and creates nothing twice.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
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

async function forgetIdempotencyRecords() {
  const { DeleteCommand } = await import('@aws-sdk/lib-dynamodb');
  for (const row of (await stack.scan()).filter((r) => String(r.pk).startsWith('IDEMPOTENCY#'))) {
    await stack.table.doc.send(new DeleteCommand({ TableName: stack.table.tableName, Key: { pk: row.pk, sk: row.sk } }));
  }
}
