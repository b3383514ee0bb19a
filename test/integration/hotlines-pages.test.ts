// The hotline lists' offset pages, read by position (shared/db/positions.ts), through the local runtime:
// a hotline's call logs and billing records newest first and an organisation's hotlines oldest first,
// page by page with the total, as the whole list read and sliced answered them; a page reads `limit`
// items whatever its offset (one Query of a range of positions, never the whole list); and calls at
// once each get a position of their own, with neither gap nor duplicate.
import { randomUUID } from 'node:crypto';
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { putAll } from '../../shared/db/batch';
import { reserveIds } from '../../shared/db/counters';
import { callLogItem, hotlineCounterItems, hotlinesRepository, recordItem, type CallLogRow, type RecordRow } from '../../shared/db/hotlines';
import { queryAll } from '../../shared/db/query-all';
import { addHotlineNumbers, uniqueAreaCode } from '../support/hotline-numbers';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { settle } from '../support/state';
import { recordTableCommands } from '../support/table-commands';
import { newUser } from '../support/users';

let stack: TestStack;
let token = '';
let org = 0;
let agent = 0;

const get = (path: string) => stack.call('GET', path, { token });
const post = (path: string, body: unknown) => stack.call('POST', path, { token, body });

/** A new hotline of the organisation ringing the admin's phone, room for the calls of this file at once. */
async function newHotline(name: string): Promise<number> {
  const res = await post('/v1/hotlines', { agents: [agent], channelsInbound: 20, isActive: true, name, organizationID: org });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

/** A log as the API answers it (entries numbered from 1; the phones here are the caller's own or none). */
const logView = (l: CallLogRow) => ({
  entries: l.entries.map((e, i) => ({ action: e.action, agentPhone: e.agentPhone, id: i + 1, startTime: e.startTime, userID: e.userID })),
  hotlineID: l.hotlineID,
  id: l.id,
  startTime: l.startTime,
});
const recordView = (r: RecordRow) => ({ destinationNumber: r.destinationNumber, hotlineID: r.hotlineID, id: r.id, price: r.price, timeEnd: r.timeEnd, timeStart: r.timeStart });

/** What the lists answered before positions: the hotline's whole partition under a prefix, newest first. */
async function wholeList(hotline: number, prefix: 'CALL_LOG#' | 'RECORD#') {
  return queryAll(stack.table, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
    ExpressionAttributeValues: { ':pk': `HOTLINE#${hotline}`, ':sk': prefix },
    ScanIndexForward: false,
    ConsistentRead: true,
  });
}

beforeAll(async () => {
  stack = await workerStack();
  // An area of its own, with a number for each hotline below (the stack's pool is shared with other files).
  const area = uniqueAreaCode();
  await addHotlineNumbers(stack, area, 5);
  const u = await newUser(stack, { prefix: 'hotline-pages', email: null });
  token = u.token;
  const created = await post('/v1/organizations', { name: 'Pages rescue service' });
  expect(created.status).toBe(201);
  org = created.body.id;
  agent = (await get('/v1/me')).body.hotlines.userID;
  expect((await stack.call('PUT', '/v1/me/organization-access', { token, body: { allow: true, organizationID: org } })).status).toBe(200);
  expect((await post('/v1/agent-phones', { isActive: true, name: 'Desk', phone: '+4924155661', userID: agent })).status).toBe(201);
  const sip = { city: 'Aachen', cityCode: `0${area}`, country: 'DE', name: 'Pages rescue service', organizationID: org, street: 'Stolberger Str.', streetHousenumber: 155 };
  expect((await post('/v1/organizations/sip-account', sip)).status).toBe(201);
});

describe('offset pages by position', () => {
  it('25 calls, limit 10: offsets 0, 10, 20, 24 and past the end, newest first, each with the total, as the whole list answered', async () => {
    const hotline = await newHotline('Pages line');
    const repo = hotlinesRepository(stack.table);
    const start = Date.parse('2026-03-01T08:00:00.000Z');
    for (let i = 0; i < 25; i++) {
      const now = new Date(start + i * 60_000).toISOString();
      const { log, created } = await repo.startCallLog({ hotlineID: hotline, callSid: `pages-${randomUUID()}`, from: `+491701000${String(i).padStart(4, '0')}`, now, entries: [{ action: 'incoming', agentPhone: null, userID: null, startTime: now }] });
      expect(created).toBe(true);
      const timeEnd = new Date(start + i * 60_000 + (i + 1) * 1000).toISOString();
      const billed = await repo.bill({ hotlineID: hotline, callLogID: log.id, destinationNumber: '+4924155500', timeStart: now, timeEnd, price: 0.05 * (1 + (i % 3)) }, { action: 'completed', agentPhone: null, userID: null, startTime: timeEnd });
      expect(billed).toBeDefined();
    }
    const logs = await wholeList(hotline, 'CALL_LOG#');
    const records = await wholeList(hotline, 'RECORD#');
    expect(logs).toHaveLength(25);
    expect(records).toHaveLength(25);
    // Newest first is id order, highest first, and the position order too.
    expect(logs.map((l) => l.position)).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
    expect(records.map((r) => r.position)).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));

    for (const [offset, size] of [[0, 10], [10, 10], [20, 5], [24, 1], [25, 0], [100, 0]] as const) {
      const page = await get(`/v1/hotlines/${hotline}/call-logs?limit=10&offset=${offset}`);
      expect(page.status).toBe(200);
      expect(page.body.totalCallLogs).toBe(25);
      expect(page.body.callLogs).toHaveLength(size);
      expect(page.body.callLogs, `call logs at offset ${offset}`).toEqual(logs.slice(offset, offset + 10).map((l) => logView(l as unknown as CallLogRow)));
      const recordPage = await get(`/v1/hotlines/${hotline}/records?limit=10&offset=${offset}`);
      expect(recordPage.body.totalRecords).toBe(25);
      expect(recordPage.body.records, `records at offset ${offset}`).toEqual(records.slice(offset, offset + 10).map((r) => recordView(r as unknown as RecordRow)));
    }
    // The default page (limit 10, offset 0), and one page of all.
    expect((await get(`/v1/hotlines/${hotline}/call-logs`)).body.callLogs.map((l: { id: number }) => l.id)).toEqual(logs.slice(0, 10).map((l) => l.id));
    expect((await get(`/v1/hotlines/${hotline}/records?limit=50`)).body.records.map((r: { id: number }) => r.id)).toEqual(records.map((r) => r.id));
    // A log of the page is the log by its id, which stays the global id.
    const newest = (await get(`/v1/hotlines/${hotline}/call-logs?limit=1`)).body.callLogs[0];
    expect((await get(`/v1/hotlines/${hotline}/call-logs/${newest.id}`)).body).toEqual(newest);

    // The organisation's hotlines, oldest first, by the same reading.
    const ids = [hotline, await newHotline('Pages line 2'), await newHotline('Pages line 3')];
    for (const [offset, expected] of [[0, ids.slice(0, 2)], [2, ids.slice(2)], [3, []]] as const) {
      const page = await get(`/v1/hotlines?organization_id=${org}&limit=2&offset=${offset}`);
      expect(page.body.totalHotlines).toBe(3);
      expect(page.body.hotlines.map((h: { id: number }) => h.id), `hotlines at offset ${offset}`).toEqual(expected);
    }
  });

  it('a page reads `limit` items whatever its offset: one Query of its range of positions, never the whole list', async () => {
    const hotline = await newHotline('Long history line');
    // 300 calls loaded in bulk, as the repository stores them: ids from the counters, positions 1..300.
    const n = 300;
    const lastLog = await reserveIds(stack.table, 'callLog', n);
    const lastRecord = await reserveIds(stack.table, 'record', n);
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    const items: Record<string, unknown>[] = [...hotlineCounterItems(hotline, { callLogs: n, records: n })];
    for (let p = 1; p <= n; p++) {
      const at = new Date(start + p * 60_000).toISOString();
      const log: CallLogRow = { id: lastLog - n + p, hotlineID: hotline, callSid: `bulk-${hotline}-${p}`, from: '+4917000000000', startTime: at, entries: [{ action: 'incoming', agentPhone: null, userID: null, startTime: at }], recordId: lastRecord - n + p };
      items.push(callLogItem(log, p), recordItem({ id: lastRecord - n + p, hotlineID: hotline, callLogID: log.id, destinationNumber: '+4924155500', timeStart: at, timeEnd: at, price: 0.05 }, p));
    }
    await putAll(stack.table, items);

    const reads: Record<string, number[]> = {};
    const units: Record<string, number[]> = {};
    for (const [list, path] of [['call-logs', 'callLogs'], ['records', 'records']] as const) {
      for (const offset of [0, 150, 290, 295]) {
        const seen = recordTableCommands();
        const res = await get(`/v1/hotlines/${hotline}/${list}?limit=10&offset=${offset}`);
        seen.stop();
        expect(res.status).toBe(200);
        const body = res.body as Record<string, { id: number }[]>;
        // Newest first: the page at offset o holds positions n - o down to n - o - 9.
        const firstId = (list === 'call-logs' ? lastLog : lastRecord) - offset;
        expect(body[path]!.map((x) => x.id)).toEqual(Array.from({ length: Math.min(10, n - offset) }, (_, i) => firstId - i));
        expect(res.body[list === 'call-logs' ? 'totalCallLogs' : 'totalRecords']).toBe(n);
        // The request's reads of this hotline's partition and lists: no Scan, one Query, of a range of positions.
        expect(seen.sent.map((c) => c.name)).not.toContain('Scan');
        const queries = seen.sent.filter((c) => c.name === 'Query' && JSON.stringify(c.input).includes(`HOTLINE#${hotline}#`));
        expect(queries, `${list} at offset ${offset}`).toHaveLength(1);
        const query = queries[0]!.input as unknown as QueryCommandInput;
        expect(query).toMatchObject({ IndexName: 'gsi2', Limit: Math.min(10, n - offset) });
        expect(query.KeyConditionExpression).toContain('BETWEEN');
        // What that Query reads, sent again as it was with the capacity asked for.
        const again = await stack.table.doc.send(new QueryCommand({ ...query, ReturnConsumedCapacity: 'TOTAL' }));
        (reads[list] ??= []).push(again.ScannedCount ?? -1);
        (units[list] ??= []).push(again.ConsumedCapacity?.CapacityUnits ?? -1);
      }
      // The old reading, the whole list, read every one of them.
      const whole = await stack.table.doc.send(
        new QueryCommand({ TableName: stack.table.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': `HOTLINE#${hotline}`, ':sk': list === 'call-logs' ? 'CALL_LOG#' : 'RECORD#' }, ReturnConsumedCapacity: 'TOTAL' }),
      );
      expect(whole.ScannedCount).toBe(n);
      expect(whole.ConsumedCapacity?.CapacityUnits).toBeGreaterThan(units[list]![0]! * 10);
    }
    expect(reads).toEqual({ 'call-logs': [10, 10, 10, 5], records: [10, 10, 10, 5] });
    // The same capacity for a full page at offset 0, 150 and 290.
    for (const list of ['call-logs', 'records']) expect(new Set(units[list]!.slice(0, 3)).size, list).toBe(1);
  });

  it('10 calls at once get positions 1..10, neither gap nor duplicate, in id order; the totals are 10', async () => {
    const hotline = await newHotline('Busy line');
    const active = await waitFor(`hotline ${hotline} active`, async () => {
      const res = await get(`/v1/hotlines/${hotline}`);
      return res.body.status === 'active' ? res.body : undefined;
    }, 10_000);
    const calls = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const res = await fetch(`${stack.emulators.jambonz}/_simulate/inbound`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ to: active.number, from: `+491702000${String(i).padStart(4, '0')}`, durationSeconds: 10 + i }),
        });
        expect(res.status).toBe(200);
        return ((await res.json()) as { callSid: string }).callSid;
      }),
    );
    expect(new Set(calls).size).toBe(10);
    await settle(stack);
    for (const prefix of ['CALL_LOG#', 'RECORD#'] as const) {
      const rows = await wholeList(hotline, prefix);
      expect(rows, prefix).toHaveLength(10);
      const byPosition = [...rows].sort((a, b) => Number(a.position) - Number(b.position));
      expect(byPosition.map((r) => r.position), prefix).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const ids = byPosition.map((r) => Number(r.id));
      expect(ids, `${prefix}: position order is id order`).toEqual([...ids].sort((a, b) => a - b));
    }
    const logs = await get(`/v1/hotlines/${hotline}/call-logs?limit=50`);
    expect(logs.body.totalCallLogs).toBe(10);
    expect(new Set(logs.body.callLogs.map((l: { id: number }) => l.id)).size).toBe(10);
    const records = await get(`/v1/hotlines/${hotline}/records?limit=50`);
    expect(records.body.totalRecords).toBe(10);
    expect(records.body.records).toHaveLength(10);
  });
});
