// The Idempotency-Key runner's records (shared/db/idempotency-records.ts) against DynamoDB Local: a
// key is taken once; a record in progress holds it until its request's time is up, a record until it
// expires; what stood in the way comes back with the refusal. The runner itself is driven through the
// routes in idempotency.test.ts.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { idempotencyRecordsRepository, type IdempotencyRecordItem } from '../../shared/db/idempotency-records';
import { workerStack, type TestStack } from '../support/stack';
import { partition } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const NOW = Date.now();
const inProgress = (key: string, over: Partial<IdempotencyRecordItem> = {}): IdempotencyRecordItem => ({
  key,
  status: 'INPROGRESS',
  expiresAt: Math.floor(NOW / 1000) + 86_400,
  inProgressExpiresAt: NOW + 10_000,
  payloadHash: 'hash-1',
  ...over,
});

describe('idempotency records', () => {
  const route = `records-${randomUUID().slice(0, 8)}`;
  const records = () => idempotencyRecordsRepository(stack.table, route);

  it("a new key is taken; while its request runs, the next put is refused with the record in the way", async () => {
    const key = `${route}#${randomUUID()}`;
    expect(await records().putIfFree(inProgress(key), NOW)).toEqual({ put: true });
    const again = await records().putIfFree(inProgress(key, { payloadHash: 'hash-2' }), NOW + 1);
    expect(again).toEqual({ put: false, existing: expect.objectContaining({ key, status: 'INPROGRESS', payloadHash: 'hash-1', inProgressExpiresAt: NOW + 10_000 }) });
    // Stored as Powertools' DynamoDB layer stores it, under the route's partition, with the table's TTL.
    const rows = await partition(stack, `IDEMPOTENCY#${route}`);
    expect(rows.find((r) => r.sk === key)).toMatchObject({ status: 'INPROGRESS', ttl: inProgress(key).expiresAt, in_progress_expiration: NOW + 10_000, validation: 'hash-1' });
  });

  it('a record in progress past its request\'s time, or one expired, gives the key up', async () => {
    const stuck = `${route}#${randomUUID()}`;
    await records().putIfFree(inProgress(stuck, { inProgressExpiresAt: NOW - 1 }), NOW - 10_000);
    expect(await records().putIfFree(inProgress(stuck), NOW)).toEqual({ put: true });

    const expired = `${route}#${randomUUID()}`;
    await records().putIfFree(inProgress(expired, { status: 'COMPLETED', expiresAt: Math.floor(NOW / 1000) - 1, inProgressExpiresAt: undefined }), NOW - 10_000);
    expect(await records().putIfFree(inProgress(expired), NOW)).toEqual({ put: true });

    // A completed record in its day holds the key.
    const done = `${route}#${randomUUID()}`;
    await records().putIfFree(inProgress(done), NOW);
    await records().update({ ...inProgress(done), status: 'COMPLETED', data: { statusCode: 202, body: '{"id":"x"}' } });
    expect((await records().putIfFree(inProgress(done), NOW + 60_000)).put).toBe(false);
  });

  it('a completed record reads back with its answer; a deleted one is gone', async () => {
    const key = `${route}#${randomUUID()}`;
    await records().putIfFree(inProgress(key), NOW);
    const answer = { statusCode: 202, headers: { 'content-type': 'application/json' }, body: '{"requestId":"r-1"}' };
    await records().update({ ...inProgress(key), status: 'COMPLETED', data: answer });
    expect(await records().get(key)).toMatchObject({ key, status: 'COMPLETED', data: answer, payloadHash: 'hash-1' });
    await records().delete(key);
    expect(await records().get(key)).toBeUndefined();
  });
});
