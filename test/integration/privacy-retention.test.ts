// Call retention through the local API: PATCH /v1/me/settings takes `callRetentionDays` (within the
// stage's bounds) and `transcriptStorage`; a call stored from Vapi's report carries the TTL of the
// owner's retention and only what the storage mode keeps; a new retention re-dates the calls stored
// before (the redateCalls worker, a page at a time); a call past its TTL no longer shows, even before
// DynamoDB deletes it; the admin customer view shows each account's choice.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { callKey, callRefKey } from '../../shared/db/calls';
import { toolCallsRepository } from '../../shared/db/tool-calls';
import { settle } from '../support/state';
import { waitFor, workerStack, type TestStack } from '../support/stack';
import { newUser, partition, rowOf, rowsOf } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const DAY = 86_400;
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function owner(settings?: Record<string, unknown>) {
  const u = await newUser(stack, { prefix: 'retention', firstLogin: true, assistant: { greeting: 'Guten Tag', language: 'de' } });
  if (settings) expect((await stack.call('PATCH', '/v1/me/settings', { token: u.token, body: settings })).status).toBe(200);
  await settle(stack);
  return { ...u, assistantId: u.assistantId! };
}

/** A call as Vapi reports it once it ended (the emulator builds and posts the report): the stored row. */
async function simulatedCall(o: { sub: string; assistantId: string }, summary = 'Frau Meier fragt nach einem Termin am Dienstag.') {
  const res = await fetch(`${stack.emulators.vapi}/_simulate/end-of-call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ assistantId: o.assistantId, customerNumber: '+4915112345678', summary }),
  });
  const { callId } = (await res.json()) as { callId: string };
  return waitFor('the call stored', async () => (await rowsOf(stack, o.sub, 'CALL#')).find((r) => r.callId === callId));
}

describe('PATCH /v1/me/settings: the retention fields', () => {
  it('answers them as stored, and the stage defaults (90 days, full) before any choice', async () => {
    const u = await newUser(stack, { prefix: 'retention', firstLogin: true });
    const me = await stack.call('GET', '/v1/me', { token: u.token });
    expect(me.body.settings).toMatchObject({ callRetentionDays: 90, transcriptStorage: 'full' });
    const res = await stack.call('PATCH', '/v1/me/settings', { token: u.token, body: { callRetentionDays: 30, transcriptStorage: 'summary-only' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ callRetentionDays: 30, transcriptStorage: 'summary-only' });
    expect(await rowOf(stack, u.sub, 'SETTINGS')).toMatchObject({ callRetentionDays: 30, transcriptStorage: 'summary-only' });
  });

  it.each([
    ['below the stage bounds', { callRetentionDays: 0 }, 'body.callRetentionDays'],
    ['above the stage bounds (730)', { callRetentionDays: 731 }, 'body.callRetentionDays'],
    ['not a whole number', { callRetentionDays: 1.5 }, 'body.callRetentionDays'],
    ['null', { callRetentionDays: null }, 'body.callRetentionDays'],
    ['an unknown storage mode', { transcriptStorage: 'audio-only' }, 'body.transcriptStorage'],
  ])('%s → 400 naming the field, nothing written', async (_what, body, path) => {
    const u = await newUser(stack, { prefix: 'retention', firstLogin: true });
    const before = await rowOf(stack, u.sub, 'SETTINGS');
    const res = await stack.call('PATCH', '/v1/me/settings', { token: u.token, body });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await rowOf(stack, u.sub, 'SETTINGS')).toEqual(before);
  });
});

describe('a call stored under the owner\'s retention', () => {
  it('callRetentionDays 1: the call and its reference carry a TTL a day after the call', async () => {
    const o = await owner({ callRetentionDays: 1 });
    const call = await simulatedCall(o);
    const started = Math.floor(Date.parse(String(call.startedAt)) / 1000);
    expect(call.ttl).toBe(started + DAY);
    // A day ahead of now, give or take the call's own length.
    expect(Number(call.ttl)).toBeGreaterThan(nowSeconds() + DAY - 3600);
    expect(Number(call.ttl)).toBeLessThanOrEqual(nowSeconds() + DAY);
    const [ref] = await partition(stack, `CALL#${String(call.callId)}`);
    expect(ref).toMatchObject({ sk: 'REF', ttl: call.ttl });
  });

  it('without a choice: the stage default, 90 days', async () => {
    const o = await owner();
    const call = await simulatedCall(o);
    expect(call.ttl).toBe(Math.floor(Date.parse(String(call.startedAt)) / 1000) + 90 * DAY);
  });

  it('transcriptStorage none: no transcript, no summary, no recording link is stored, and the list shows none', async () => {
    const o = await owner({ transcriptStorage: 'none' });
    const call = await simulatedCall(o, 'Herr Schulz möchte zurückgerufen werden.');
    expect(call).toMatchObject({ transcript: null, summary: null, recordingUrl: null });
    expect(JSON.stringify(call)).not.toContain('Schulz');
    expect(call.callerNumber).toBe('+4915112345678');
    const list = await stack.call('GET', '/v1/me/calls', { token: o.token });
    expect(list.body.items[0]).toMatchObject({ callId: call.callId, transcript: null, summary: null });
  });

  it('transcriptStorage summary-only: the summary, and no transcript or recording link', async () => {
    const o = await owner({ transcriptStorage: 'summary-only' });
    const call = await simulatedCall(o, 'Frau Weber storniert ihre Bestellung.');
    expect(call).toMatchObject({ summary: 'Frau Weber storniert ihre Bestellung.', transcript: null, recordingUrl: null });
  });

  it('transcriptStorage full (the default): summary, transcript and recording link', async () => {
    const o = await owner();
    const call = await simulatedCall(o);
    expect(call.summary).toBeTruthy();
    expect(call.transcript).toBeTruthy();
    expect(call.recordingUrl).toBeTruthy();
  });
});

describe('a changed retention', () => {
  it('re-dates the calls stored before it (the redateCalls worker), and finishes its run on the settings row', async () => {
    const o = await owner({ callRetentionDays: 200 });
    const calls = [await simulatedCall(o), await simulatedCall(o)];
    for (const c of calls) expect(c.ttl).toBe(Math.floor(Date.parse(String(c.startedAt)) / 1000) + 200 * DAY);
    // A tool call during each, recorded as the webhook records them, with the old retention.
    const toolCalls = toolCallsRepository(stack.table);
    for (const c of calls) {
      await toolCalls.record(o.sub, [{ callId: String(c.callId), toolCallId: `tc-${String(c.callId)}`, name: 'check_calendar', startedAt: String(c.startedAt), durationMs: 12, outcome: 'ok', ttl: Number(c.ttl) }]);
    }
    expect((await stack.call('PATCH', '/v1/me/settings', { token: o.token, body: { callRetentionDays: 7 } })).status).toBe(200);
    await settle(stack);
    for (const c of calls) {
      const expected = Math.floor(Date.parse(String(c.startedAt)) / 1000) + 7 * DAY;
      const row = await rowOf(stack, o.sub, String(c.sk));
      expect(row?.ttl).toBe(expected);
      const [ref] = await partition(stack, `CALL#${String(c.callId)}`);
      expect(ref?.ttl).toBe(expected);
      // Its tool calls go with it.
      const tools = (await rowsOf(stack, o.sub, `TOOLCALL#${String(c.callId)}#`)).map((r) => r.ttl);
      expect(tools).toEqual([expected]);
    }
    expect((await rowOf(stack, o.sub, 'SETTINGS'))?.callRedating).toBeUndefined();
  });

  it('a call past its TTL is gone from the list and by id at once, before DynamoDB deletes it', async () => {
    const o = await owner();
    const call = await simulatedCall(o);
    const id = { userId: o.sub, startedAt: String(call.startedAt), callId: String(call.callId) };
    for (const key of [callKey(id), callRefKey(id.callId)]) {
      await stack.table.doc.send(new UpdateCommand({ TableName: stack.table.tableName, Key: key, UpdateExpression: 'SET #t = :t', ExpressionAttributeNames: { '#t': 'ttl' }, ExpressionAttributeValues: { ':t': nowSeconds() - 1 } }));
    }
    expect((await stack.call('GET', `/v1/me/calls/${id.callId}`, { token: o.token })).status).toBe(404);
    const list = await stack.call('GET', '/v1/me/calls', { token: o.token });
    expect(list.body.items.map((c: { callId: string }) => c.callId)).not.toContain(id.callId);
  });
});

describe('the admin customer view', () => {
  it("shows each account's retention: its choice, or the stage's defaults", async () => {
    const chose = await owner({ callRetentionDays: 14, transcriptStorage: 'none' });
    const didNot = await owner();
    const admin = await newUser(stack, { prefix: 'retention-admin', permissions: ['admin'] });
    const find = async (u: { sub: string; email?: string }) => {
      const res = await stack.call('GET', `/v1/admin/customers?q=${encodeURIComponent(u.email!)}`, { token: admin.token });
      expect(res.status).toBe(200);
      return res.body.items.find((c: { userId: string }) => c.userId === u.sub);
    };
    expect((await find(chose))?.retention).toEqual({ callRetentionDays: 14, transcriptStorage: 'none', chosen: true });
    expect((await find(didNot))?.retention).toEqual({ callRetentionDays: 90, transcriptStorage: 'full', chosen: false });
  });
});
