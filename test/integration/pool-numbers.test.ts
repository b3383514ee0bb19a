// The admin routes of the phone-number pool through the local API: importing the numbers the Sipgate
// emulator routes to the trunk (only those, idempotently, an assigned number left assigned, nothing
// written when Sipgate fails) and listing them a page at a time (every number once, by status, with
// cursors that cannot be forged), refused to a customer.
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_LOCAL } from '../../shared/config/callback';
import { poolAssignments } from '../../shared/db/pool';
import { workerStack, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';

const PATH = '/v1/admin/pool-numbers';
/** What the Sipgate emulator seeds: three numbers on the trunk (e0), three ringing a phoneline. */
const TRUNK = ['+4921155590001', '+4921155590002', '+4921155590003'];
const ELSEWHERE = ['+4921155501010', '+4930555022222', '+4989555033333'];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

type Row = Record<string, unknown>;
const poolRows = async (): Promise<Row[]> =>
  (await stack.scan()).filter((r) => String(r.pk).startsWith('POOL#')).sort((a, b) => String(a.pk).localeCompare(String(b.pk)));
const numbersOf = (rows: { number?: unknown }[]) => rows.map((r) => String(r.number));

const importPool = (token = stack.tokens.admin) => stack.call('POST', PATH, { token });
const list = (query = '', token = stack.tokens.admin) => stack.call('GET', `${PATH}${query}`, { token });

/** Adds a number to the emulated Sipgate account (its /_numbers control endpoint). */
async function addNumber(body: { number: string; endpointId?: string }): Promise<{ id: string }> {
  const res = await fetch(`${stack.emulators.sipgate}/_numbers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

/** Every page of a listing, following nextCursor; each page is checked against the page size. */
async function walk(query: string, limit: number): Promise<{ items: Row[]; pages: number }> {
  const items: Row[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await list(`?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
    expect(pages).toBeLessThan(50);
  } while (cursor);
  return { items, pages };
}

const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

describe('POST /v1/admin/pool-numbers', () => {
  it('the local stack starts with the trunk numbers in the pool, free', async () => {
    const rows = await poolRows();
    expect(numbersOf(rows)).toEqual(TRUNK);
    for (const r of rows) expect(r).toMatchObject({ status: 'free', gsi2pk: 'POOL', gsi2sk: `free#${String(r.number)}` });
  });

  it('imports the numbers routed to the trunk, and only those, as free pool numbers', async () => {
    for (const r of await poolRows()) {
      await stack.table.doc.send(new DeleteCommand({ TableName: stack.tableName, Key: { pk: r.pk, sk: r.sk } }));
    }
    expect(await poolRows()).toEqual([]);

    const res = await importPool();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ imported: TRUNK, alreadyInPool: 0, total: 3 });

    const rows = await poolRows();
    expect(numbersOf(rows)).toEqual(TRUNK);
    expect(rows.map((r) => r.sipgateNumberId)).toEqual(['n13', 'n14', 'n15']);
    for (const r of rows) {
      expect(r).toMatchObject({
        pk: `POOL#${String(r.number)}`,
        sk: 'NUMBER',
        status: 'free',
        gsi2pk: 'POOL',
        gsi2sk: `free#${String(r.number)}`,
        importedAt: expect.stringMatching(ISO),
      });
      expect(r.userId).toBeUndefined();
    }
    const all = JSON.stringify(await stack.scan());
    for (const n of ELSEWHERE) expect(all).not.toContain(n);
  });

  it('a second import adds nothing and leaves every row as it was', async () => {
    const before = await poolRows();
    const res = await importPool();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ imported: [], alreadyInPool: 3, total: 3 });
    expect(await poolRows()).toEqual(before);
  });

  it('a number added on the trunk is imported by the next import, alone; one added elsewhere is not', async () => {
    const before = await poolRows();
    const added = await addNumber({ number: '+4921155590004', endpointId: 'e0' });
    await addNumber({ number: '+4921155590005' });

    const res = await importPool();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ imported: ['+4921155590004'], alreadyInPool: 3, total: 4 });
    const rows = await poolRows();
    expect(rows.filter((r) => r.number !== '+4921155590004')).toEqual(before);
    expect(rows.find((r) => r.number === '+4921155590004')).toMatchObject({ status: 'free', sipgateNumberId: added.id });
    expect(numbersOf(rows)).not.toContain('+4921155590005');
  });

  it('an assigned number stays assigned after a re-import', async () => {
    const now = new Date().toISOString();
    // A real assistant of the Vapi emulator, so the bindPoolNumber worker can bind the line.
    const outcome = await poolAssignments(stack.table).assignFree({ userId: 'auth0|pool-admin-test', assistantId: CALLBACK_LOCAL.assistantIds.de, now });
    expect(outcome.assigned).toBe(true);
    const number = (outcome as { number: string }).number;
    const assigned = (await poolRows()).find((r) => r.number === number);
    expect(assigned).toMatchObject({ status: 'assigned', userId: 'auth0|pool-admin-test', assignedAt: now, gsi2sk: `assigned#${number}` });

    const res = await importPool();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ imported: [], alreadyInPool: 4, total: 4 });
    expect((await poolRows()).find((r) => r.number === number)).toEqual(assigned);

    const listed = await list('?status=assigned');
    expect(listed.body.items).toEqual([
      { number, status: 'assigned', userId: 'auth0|pool-admin-test', assignedAt: now, importedAt: assigned!.importedAt, sipgateNumberId: assigned!.sipgateNumberId },
    ]);
  });

  it('a Sipgate failure is a 502 problem and writes nothing; the next import, with Sipgate back, does', async () => {
    await addNumber({ number: '+4921155590006', endpointId: 'e0' });
    const before = await poolRows();
    // The adapter tries a read three times.
    await stack.fault('sipgate', { mode: 'error', count: 3, match: '/numbers' });
    const res = await importPool();
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: 'urn:fonella:problem:provider-unavailable', status: 502 });
    expect(await poolRows()).toEqual(before);
    expect(((await (await fetch(`${stack.emulators.sipgate}/_faults`)).json()) as { pending: unknown[] }).pending).toEqual([]);

    const again = await importPool();
    expect(again.body).toEqual({ imported: ['+4921155590006'], alreadyInPool: 4, total: 5 });
  });
});

describe('GET /v1/admin/pool-numbers', () => {
  it('walks every pool number exactly once, two at a time: assigned first, then free, each by number', async () => {
    const rows = await poolRows();
    expect(rows.length).toBe(5);
    const { items, pages } = await walk('', 2);
    expect(pages).toBe(3);
    const expected = [...rows].sort((a, b) => String(a.gsi2sk).localeCompare(String(b.gsi2sk)));
    expect(numbersOf(items)).toEqual(numbersOf(expected));
    expect(items[0]).toMatchObject({ status: 'assigned', userId: 'auth0|pool-admin-test', assignedAt: expect.stringMatching(ISO) });
    for (const item of items.slice(1)) {
      expect(item).toEqual({
        number: expect.any(String),
        status: 'free',
        userId: null,
        assignedAt: null,
        importedAt: expect.stringMatching(ISO),
        sipgateNumberId: expect.stringMatching(/^n\d+$/),
      });
    }
  });

  it('without a limit, a page holds up to 25 numbers: here all of them, and no next page', async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(5);
    expect(res.body.nextCursor).toBeNull();
  });

  it('status lists only the free or only the assigned numbers, and pages within it', async () => {
    const rows = await poolRows();
    const free = await walk('&status=free', 2);
    expect(numbersOf(free.items)).toEqual(numbersOf(rows.filter((r) => r.status === 'free')));
    expect(free.items.every((i) => i.status === 'free')).toBe(true);
    expect(free.pages).toBe(2);
    const assigned = await walk('&status=assigned', 2);
    expect(assigned.items.map((i) => [i.number, i.status, i.userId])).toEqual(
      rows.filter((r) => r.status === 'assigned').map((r) => [r.number, 'assigned', 'auth0|pool-admin-test']),
    );
  });

  it.each([
    ['?limit=0', 'query.limit'],
    ['?limit=101', 'query.limit'],
    ['?limit=abc', 'query.limit'],
    ['?limit=2.5', 'query.limit'],
    ['?limit=-1', 'query.limit'],
    ['?limit=', 'query.limit'],
    ['?status=taken', 'query.status'],
    ['?status=FREE', 'query.status'],
    ['?q=x', 'query.q'],
  ])('%s → 400 naming %s', async (query, path) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:fonella:problem:validation');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('a forged or garbled cursor → 400 invalid-cursor', async () => {
    const first = await list('?limit=1&status=free');
    const real = first.body.nextCursor as string;
    const key = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as Record<string, string>;
    expect(Object.keys(key).sort()).toEqual(['gsi2pk', 'gsi2sk', 'pk', 'sk']);
    // The real cursor works, for its own status.
    expect((await list(`?limit=1&status=free&cursor=${real}`)).status).toBe(200);

    const bad = [
      'not-a-cursor',
      '%25%25%25',
      `${real}x`,
      cursorOf({ ...key, gsi2pk: 'TICKETS', gsi2sk: '2026-01-01T00:00:00.000Z' }),
      cursorOf({ ...key, pk: 'USER#auth0|demo-customer', sk: 'SETTINGS' }),
      cursorOf({ ...key, pk: 'POOL#+4900000000000' }),
      cursorOf({ ...key, gsi1pk: 'ASSISTANT#x' }),
      cursorOf({ pk: key.pk, sk: key.sk, gsi2pk: key.gsi2pk }),
      cursorOf({ ...key, sk: 7 }),
      cursorOf([key.pk, key.sk]),
      Buffer.from('{"pk":').toString('base64url'),
    ];
    for (const cursor of bad) {
      const res = await list(`?limit=2&cursor=${cursor}`);
      expect(res.status, cursor).toBe(400);
      expect(res.body).toMatchObject({ type: 'urn:fonella:problem:invalid-cursor', status: 400 });
    }
    // A free listing's cursor does not start the assigned listing (nor the other way round).
    const other = await list(`?status=assigned&cursor=${real}`);
    expect(other.status).toBe(400);
    expect(other.body.type).toBe('urn:fonella:problem:invalid-cursor');
  });

  it('a customer token → 403 admin-required on both routes; nothing written, Sipgate not asked', async () => {
    const before = await settle(stack);
    const statsBefore = await (await fetch(`${stack.emulators.sipgate}/_stats`)).json();
    for (const res of [await importPool(stack.tokens.customer), await list('', stack.tokens.customer)]) {
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.type).toBe('urn:fonella:problem:admin-required');
    }
    await expectUnchanged(stack, before, 'pool routes as a customer');
    expect(await (await fetch(`${stack.emulators.sipgate}/_stats`)).json()).toEqual(statsBefore);
  });
});

describe("the Sipgate emulator's /_numbers", () => {
  it('refuses a bad body, an unknown endpoint and a number the account has, adding nothing', async () => {
    const before = await (await fetch(`${stack.emulators.sipgate}/_inspect`)).json();
    const add = (body: unknown) =>
      fetch(`${stack.emulators.sipgate}/_numbers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const body of [{}, { number: '0211 5559' }, { number: '+4921155590007', type: 'FAX' }, { number: '+4921155590007', extra: 1 }]) {
      expect((await add(body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await add({ number: '+4921155590007', endpointId: 'e99' })).status).toBe(400);
    expect((await add({ number: TRUNK[0], endpointId: 'e0' })).status).toBe(409);
    expect(await (await fetch(`${stack.emulators.sipgate}/_inspect`)).json()).toEqual(before);
  });
});
