// A hotline's channel limits in the call path, through the local stack and the jambonz emulator: calls
// held in progress fill `channelsInbound`, and the next call is declined busy (sip:decline 486, a log
// marked `declined`, no record) until one hangs up; a call hook delivered twice takes one channel; a
// lowered limit leaves calls in progress alone; a channel whose final event never comes is free once
// its lease has expired; `channelsOutbound` bounds the agent phones rung at once over the hotline's calls.
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { hotlineCallDeps } from '../../shared/app/hotline-call-deps';
import { SWEEP_BATCH, hotlineChannelsRepository } from '../../shared/db/hotline-channels';
import { answerCallHook } from '../../shared/domain/hotline-calls';
import { signJambonzBody } from '../../shared/providers/jambonz/signature';
import { addHotlineNumbers, uniqueAreaCode } from '../support/hotline-numbers';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { newUser } from '../support/users';
import { holdTableCommand, onTableCommand } from '../support/table-commands';

/** The table round trips the call hook makes before it answers a new inbound call: one read, the log's id, one transaction. */
const ROUND_TRIPS = 3;

let stack: TestStack;
let token = '';
let org = 0;
let agent = 0;
/** The agent's two phones, rung in this order. */
const phones: string[] = [];

type Simulated = { callSid: string; answeredBy: string | null; callStatus: string; sipStatus?: number; trace: string[] };
type EmulatorCall = { call_sid: string; in_progress: boolean; call_status: string; sip_status?: number; ended?: string };

const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token, body });

async function emulator(path: string, body: unknown): Promise<{ status: number; body: Simulated }> {
  const res = await fetch(`${stack.emulators.jambonz}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Simulated };
}
/** A call to `number` from a caller of its own; `hold`: it stays in progress once an agent answers. */
const ring = (number: string, opts: { hold?: boolean; answeredBy?: string } = {}) =>
  emulator('/_simulate/inbound', { to: number, from: `+49170${Math.floor(Math.random() * 1e7).toString().padStart(7, '0')}`, ...opts });
const hangUp = (callSid: string) => emulator('/_simulate/hangup', { callSid, durationSeconds: 30 });
const emulatorCall = async (callSid: string) => (await stack.inspect<{ calls: EmulatorCall[] }>('jambonz')).calls.find((c) => c.call_sid === callSid);

/** Posts a hook as jambonz does, signed. */
function hook(hotlineID: number, which: 'call' | 'status', payload: Record<string, unknown>) {
  const body = JSON.stringify(payload);
  return stack.call('POST', `/v1/webhooks/jambonz/hotlines/${hotlineID}/${which}`, {
    rawBody: body,
    headers: { 'content-type': 'application/json', 'jambonz-signature': signJambonzBody(body, stack.credentials.jambonz!.webhookSecret!) },
  });
}

/** A new active hotline of the organisation with these channel limits: its id and number (as provisioning gave it). */
async function hotline(name: string, channels: { channelsInbound?: number; channelsOutbound?: number }): Promise<{ id: number; number: string }> {
  const res = await call('POST', '/v1/hotlines', { agents: [agent], isActive: true, name, organizationID: org, ttsInbound: 'Fire brigade, please hold.', ...channels });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id as number;
  const active = await waitFor(`hotline ${id} active`, async () => {
    const got = await call('GET', `/v1/hotlines/${id}`);
    return got.body.status === 'active' ? got.body : undefined;
  }, 10_000);
  return { id, number: active.number as string };
}

/** The hotline's call logs' actions, by jambonz call sid (newest first as listed). */
async function logs(id: number): Promise<{ actions: string[]; id: number }[]> {
  const res = await call('GET', `/v1/hotlines/${id}/call-logs?limit=50`);
  expect(res.status).toBe(200);
  return res.body.callLogs.map((l: { id: number; entries: { action: string }[] }) => ({ id: l.id, actions: l.entries.map((e) => e.action) }));
}

const channelsOf = (id: number) => hotlineChannelsRepository(stack.table).get(id);

beforeAll(async () => {
  stack = await workerStack();
  // An area of its own, with a number for each hotline below (the stack's pool is shared with other files).
  const area = uniqueAreaCode();
  await addHotlineNumbers(stack, area, 9);
  const admin = await newUser(stack, { prefix: 'channels-admin', email: null });
  token = admin.token;
  const created = await call('POST', '/v1/organizations', { name: 'Fire brigade Bonn' });
  expect(created.status).toBe(201);
  org = created.body.id;
  const sip = await call('POST', '/v1/organizations/sip-account', { city: 'Bonn', cityCode: `0${area}`, country: 'DE', name: 'Fire brigade Bonn', organizationID: org, street: 'Lievelingsweg', streetHousenumber: 112 });
  expect(sip.status).toBe(201);
  expect((await call('PUT', '/v1/me/organization-access', { allow: true, organizationID: org })).status).toBe(200);
  agent = (await call('GET', '/v1/me')).body.hotlines.userID;
  const unique = String(Date.now() % 1e6).padStart(6, '0');
  for (const n of ['1', '2']) {
    const phone = await call('POST', '/v1/agent-phones', { isActive: true, name: `Phone ${n}`, phone: `+491511${n}${unique}`, userID: agent });
    expect(phone.status, JSON.stringify(phone.body)).toBe(201);
    phones.push(phone.body.phone);
  }
});

describe('inbound channels', () => {
  it('two calls in progress fill channelsInbound 2: a third is declined busy, logged as declined and not billed; after a hangup a new call is taken', async () => {
    const line = await hotline('Two channels', { channelsInbound: 2 });
    const first = await ring(line.number, { hold: true });
    const second = await ring(line.number, { hold: true });
    for (const held of [first, second]) {
      expect(held.body).toMatchObject({ callStatus: 'in-progress', answeredBy: phones[0] });
      expect(await emulatorCall(held.body.callSid)).toMatchObject({ in_progress: true, call_status: 'in-progress' });
    }
    expect(Object.keys((await channelsOf(line.id)).inbound).sort()).toEqual([first.body.callSid, second.body.callSid].sort());

    const third = await ring(line.number, { hold: true });
    expect(third.status).toBe(200);
    // The verbs answered were sip:decline 486 alone: jambonz rejects the call unanswered, busy.
    expect(third.body).toMatchObject({ callStatus: 'failed', sipStatus: 486, answeredBy: null, trace: ['sip:decline 486 Busy Here'] });
    expect(await emulatorCall(third.body.callSid)).toMatchObject({ in_progress: false, call_status: 'failed', sip_status: 486, ended: 'declined' });
    const [declined] = await logs(line.id);
    expect(declined!.actions).toEqual(['incoming', 'declined']);
    expect((await call('GET', `/v1/hotlines/${line.id}/records`)).body.totalRecords).toBe(0);

    // One hangs up: its channel is free, and the next call is taken.
    expect((await hangUp(first.body.callSid)).body.callStatus).toBe('completed');
    expect(await emulatorCall(first.body.callSid)).toMatchObject({ in_progress: false, call_status: 'completed', ended: 'hangup' });
    expect(Object.keys((await channelsOf(line.id)).inbound)).toEqual([second.body.callSid]);
    const fourth = await ring(line.number, { hold: true });
    expect(fourth.body).toMatchObject({ callStatus: 'in-progress', answeredBy: phones[0] });

    for (const held of [second, fourth]) expect((await hangUp(held.body.callSid)).body.callStatus).toBe('completed');
    expect((await channelsOf(line.id)).inbound).toEqual({});
    // Three answered calls, three records; the declined one has none.
    expect((await call('GET', `/v1/hotlines/${line.id}/records`)).body.totalRecords).toBe(3);
    const all = await logs(line.id);
    expect(all.map((l) => l.actions.at(-1))).toEqual(['completed', 'declined', 'completed', 'completed']);
  });

  it('a call hook delivered twice takes one channel: the second delivery gets the same dial, and the call still fits channelsInbound 1', async () => {
    const line = await hotline('One channel', { channelsInbound: 1 });
    const callSid = randomUUID();
    const payload = { call_sid: callSid, direction: 'inbound', from: '+4917055501234', to: line.number, call_status: 'trying' };
    const once = await hook(line.id, 'call', payload);
    const twice = await hook(line.id, 'call', payload);
    expect(once.status).toBe(200);
    expect(twice.body).toEqual(once.body);
    expect(once.body.map((v: { verb: string }) => v.verb)).toEqual(['say', 'dial']);
    const channels = await channelsOf(line.id);
    expect(Object.keys(channels.inbound)).toEqual([callSid]);
    expect(Object.keys(channels.outbound)).toEqual([callSid]);
    expect((await logs(line.id)).map((l) => l.actions)).toEqual([['incoming', 'dial']]);

    // Its one channel is the hotline's only one: another call is declined, with sip:decline 486 alone.
    const otherSid = randomUUID();
    const other = await hook(line.id, 'call', { ...payload, call_sid: otherSid, from: '+4917055505678' });
    expect(other.body).toEqual([{ verb: 'sip:decline', status: 486, reason: 'Busy Here' }]);
    // jambonz posts the declined call's leg failed, 486: nothing is billed, and the held channel stays.
    expect((await hook(line.id, 'status', { call_sid: otherSid, direction: 'inbound', call_status: 'failed', sip_status: 486, sip_reason: 'Busy Here' })).status).toBe(200);
    expect((await call('GET', `/v1/hotlines/${line.id}/records`)).body.totalRecords).toBe(0);
    expect(Object.keys((await channelsOf(line.id)).inbound)).toEqual([callSid]);

    // The call's final status gives its channels back: the next call is taken.
    expect((await hook(line.id, 'status', { call_sid: callSid, direction: 'inbound', call_status: 'completed', duration: 12 })).status).toBe(200);
    expect(await channelsOf(line.id)).toEqual({ inbound: {}, outbound: {} });
    const next = await ring(line.number);
    expect(next.body).toMatchObject({ callStatus: 'completed', answeredBy: phones[0] });
    expect((await call('GET', `/v1/hotlines/${line.id}/records`)).body.totalRecords).toBe(2);
  });

  it('hooks racing for the channels: of six new calls at once on channelsInbound 2 exactly two are taken; one call delivered five times at once takes one', async () => {
    const line = await hotline('Racing', { channelsInbound: 2 });
    const sids = Array.from({ length: 6 }, () => randomUUID());
    const answers = await Promise.all(sids.map((sid, i) => hook(line.id, 'call', { call_sid: sid, direction: 'inbound', from: `+491705550100${i}`, call_status: 'trying' })));
    const taken = sids.filter((_, i) => answers[i]!.body.at(-1).verb === 'dial');
    expect(taken).toHaveLength(2);
    expect(answers.filter((a) => a.body[0].verb === 'sip:decline')).toHaveLength(4);
    expect(Object.keys((await channelsOf(line.id)).inbound).sort()).toEqual([...taken].sort());
    for (const sid of taken) await hook(line.id, 'status', { call_sid: sid, direction: 'inbound', call_status: 'completed', duration: 1 });

    const single = await hotline('Racing, one channel', { channelsInbound: 1 });
    const sid = randomUUID();
    const again = await Promise.all(Array.from({ length: 5 }, () => hook(single.id, 'call', { call_sid: sid, direction: 'inbound', from: '+4917055502000', call_status: 'trying' })));
    expect(again.map((a) => a.body.at(-1).verb)).toEqual(['dial', 'dial', 'dial', 'dial', 'dial']);
    expect(Object.keys((await channelsOf(single.id)).inbound)).toEqual([sid]);
    expect((await logs(single.id)).map((l) => l.actions)).toEqual([['incoming', 'dial']]);
    await hook(single.id, 'status', { call_sid: sid, direction: 'inbound', call_status: 'completed', duration: 1 });
  });

  it('a lowered limit leaves the calls in progress alone; new calls meet it', async () => {
    const line = await hotline('Lowered', { channelsInbound: 2 });
    const held = [await ring(line.number, { hold: true }), await ring(line.number, { hold: true })];
    const put = await call('PUT', `/v1/hotlines/${line.id}`, { agents: [agent], isActive: true, name: 'Lowered', organizationID: org, channelsInbound: 1 });
    expect(put.status).toBe(200);
    expect(put.body.channelsInbound).toBe(1);
    expect((await ring(line.number)).body.sipStatus).toBe(486);
    // The first hangs up: one call is still in progress, which is the new limit.
    const down = await hangUp(held[0]!.body.callSid);
    expect(down.body.callStatus).toBe('completed');
    expect((await ring(line.number)).body.sipStatus).toBe(486);
    expect((await hangUp(held[1]!.body.callSid)).body.callStatus).toBe('completed');
    expect((await ring(line.number)).body).toMatchObject({ callStatus: 'completed', answeredBy: phones[0] });
  });

  it("a call whose final status never comes holds its channel until the lease expires; then the next call sweeps it and is taken", async () => {
    const line = await hotline('Lost event', { channelsInbound: 1 });
    const lost = randomUUID();
    // A call jambonz never reports over (its status events lost).
    expect((await hook(line.id, 'call', { call_sid: lost, direction: 'inbound', from: '+4917055509999', call_status: 'trying' })).body.at(-1).verb).toBe('dial');
    expect((await ring(line.number)).body.sipStatus).toBe(486);

    // The call hook as the stack runs it, at a later time: just before the lease ends the channel is held,
    // once it has ended it is free and swept. (The stack's handlers keep their clock; the use case takes one.)
    const deps = hotlineCallDeps(stack.table);
    const stored = (await channelsOf(line.id)).inbound[lost]!;
    const at = (epochSeconds: number) => ({ ...deps, now: () => new Date(epochSeconds * 1000) });
    const early = randomUUID();
    expect(await answerCallHook(at(stored.exp - 1), String(line.id), { call_sid: early, direction: 'inbound', from: '+4917055508888' })).toEqual([
      { verb: 'sip:decline', status: 486, reason: 'Busy Here' },
    ]);
    const late = randomUUID();
    const verbs = await answerCallHook(at(stored.exp), String(line.id), { call_sid: late, direction: 'inbound', from: '+4917055507777' });
    expect(verbs.map((v) => v.verb)).toEqual(['say', 'dial']);
    const channels = await channelsOf(line.id);
    expect(Object.keys(channels.inbound)).toEqual([late]);
    expect(channels.inbound[late]!.exp).toBe(stored.exp + deps.channelLeaseSeconds);

    // Its final status gives it back.
    await hook(line.id, 'status', { call_sid: late, direction: 'inbound', call_status: 'completed', duration: 5 });
    expect(await channelsOf(line.id)).toEqual({ inbound: {}, outbound: {} });
  });
});

describe('outbound channels', () => {
  it('channelsOutbound 1: while one call rings or talks to an agent, another call dials no one, hears that the lines are busy and ends; after the hangup the next call dials', async () => {
    const line = await hotline('One agent line', { channelsOutbound: 1 });
    // The first call rings the first phone (no answer) and then the second on the same channel, which answers and stays.
    const first = await ring(line.number, { hold: true, answeredBy: phones[1] });
    expect(first.body.trace).toEqual(['say: Fire brigade, please hold.', `dial ${phones[0]}: no answer after 20 s`, `dial ${phones[1]}: answered`]);
    expect((await channelsOf(line.id)).outbound).toEqual({ [first.body.callSid]: expect.objectContaining({ phone: phones[1] }) });
    // A late final status of the first phone's leg leaves the channel of the phone now rung alone.
    await hook(line.id, 'status', { call_sid: randomUUID(), parent_call_sid: first.body.callSid, direction: 'outbound', to: phones[0], call_status: 'no-answer' });
    expect(Object.keys((await channelsOf(line.id)).outbound)).toEqual([first.body.callSid]);

    const second = await ring(line.number);
    expect(second.body).toMatchObject({ callStatus: 'completed', answeredBy: null });
    expect(second.body.trace).toEqual(['say: Fire brigade, please hold.', 'say: All our lines are busy right now. Please call again in a few minutes.', 'hangup']);
    const [busy] = await logs(line.id);
    expect(busy!.actions).toEqual(['incoming', 'no-channel', 'completed']);
    // Its own inbound channel went back with its final status; the first call holds its two.
    expect(await channelsOf(line.id)).toEqual({ inbound: { [first.body.callSid]: expect.anything() }, outbound: { [first.body.callSid]: expect.objectContaining({ phone: phones[1] }) } });

    expect((await hangUp(first.body.callSid)).body.callStatus).toBe('completed');
    expect(await channelsOf(line.id)).toEqual({ inbound: {}, outbound: {} });
    const third = await ring(line.number);
    expect(third.body).toMatchObject({ callStatus: 'completed', answeredBy: phones[0] });
    const [dialled] = await logs(line.id);
    expect(dialled!.actions).toEqual(['incoming', 'dial', 'ringing', 'answered', 'completed']);
  });
});

describe('the leases in the table', () => {
  it(`more expired leases than one update removes (${SWEEP_BATCH}) are swept in batches before the take; a release never makes the item`, async () => {
    const channels = hotlineChannelsRepository(stack.table);
    // A hotline id of this test's own: the leases need no hotline row.
    const id = 900_000_000 + Math.floor(Math.random() * 1e8);
    const then = new Date('2026-01-01T00:00:00Z');
    await channels.release(id, 'nothing-held');
    expect(await stack.table.doc.send(new GetCommand({ TableName: stack.table.tableName, Key: { pk: `HOTLINE#${id}`, sk: 'CHANNELS' } }))).not.toHaveProperty('Item');
    const stale = Array.from({ length: SWEEP_BATCH + 7 }, (_, i) => `stale-${i}`);
    for (const sid of stale) expect(await channels.take({ hotlineID: id, dir: 'inbound', callSid: sid, limit: 100, now: then, leaseSeconds: 60 })).toBe(true);
    expect(await channels.take({ hotlineID: id, dir: 'inbound', callSid: 'one-more', limit: stale.length, now: then, leaseSeconds: 60 })).toBe(false);
    const later = new Date(then.getTime() + 61_000);
    expect(await channels.take({ hotlineID: id, dir: 'inbound', callSid: 'fresh', limit: 1, now: later, leaseSeconds: 60 })).toBe(true);
    expect(await channels.get(id)).toEqual({ inbound: { fresh: { exp: later.getTime() / 1000 + 60 } }, outbound: {} });
    expect(await channels.take({ hotlineID: id, dir: 'inbound', callSid: 'another', limit: 1, now: later, leaseSeconds: 60 })).toBe(false);
  });
});

describe("the call hook's table round trips", () => {
  /** Every command of the hook while `send` runs (the hotline is active and nothing else is in flight: the stream is idle first, unless `busy`). */
  async function counted<T>(send: () => Promise<T>, busy = false): Promise<{ res: T; sent: string[] }> {
    if (!busy) await stack.streams.idle();
    const sent: string[] = [];
    const stop = onTableCommand((c) => void sent.push(`${c.name} ${JSON.stringify((c.input as { Key?: unknown }).Key ?? (c.input as { ExpressionAttributeValues?: unknown }).ExpressionAttributeValues ?? '')}`));
    try {
      return { res: await send(), sent };
    } finally {
      stop();
    }
  }

  it('a new inbound call: the hotline, its ring list and channels read at once, the log and both channels written in one transaction; a hook delivered again takes nothing more', async () => {
    const line = await hotline('Counted', { channelsInbound: 2, channelsOutbound: 2 });
    const callSid = `counted-${randomUUID()}`;
    const payload = { call_sid: callSid, direction: 'inbound', from: '+4917012345678', to: line.number, call_status: 'ringing' };
    const { res, sent } = await counted(() => hook(line.id, 'call', payload));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.map((v: { verb: string }) => v.verb)).toEqual(['say', 'dial']);
    expect(sent.length, sent.join(', ')).toBeLessThanOrEqual(ROUND_TRIPS);
    expect(sent.map((c) => c.split(' ')[0])).toEqual(['BatchGetItem', 'UpdateItem', 'TransactWriteItems']);
    const channels = await channelsOf(line.id);
    expect(Object.keys(channels.inbound)).toEqual([callSid]);
    expect(channels.outbound[callSid]?.phone).toBe(`+${phones[0]!.replace(/\D/g, '')}`);
    // Delivered again: the same verbs, one log, no second channel.
    const again = await hook(line.id, 'call', payload);
    expect(again.body).toEqual(res.body);
    expect((await logs(line.id)).map((l) => l.actions)).toEqual([['incoming', 'dial']]);
    expect(Object.keys((await channelsOf(line.id)).inbound)).toEqual([callSid]);

    // The dial's action (the first phone did not answer): the next phone, in as many round trips.
    const next = await counted(() => hook(line.id, 'call', { ...payload, call_status: 'in-progress', dial_call_status: 'no-answer' }));
    expect(next.res.body.map((v: { verb: string }) => v.verb)).toEqual(['dial']);
    expect(next.res.body[0].target[0].number).toBe(phones[1]);
    expect(next.sent.length, next.sent.join(', ')).toBeLessThanOrEqual(ROUND_TRIPS);
    expect((await logs(line.id)).map((l) => l.actions)).toEqual([['incoming', 'dial', 'dial']]);
    expect((await channelsOf(line.id)).outbound[callSid]?.phone).toBe(`+${phones[1]!.replace(/\D/g, '')}`);
  });

  it("an edited hotline rings from the agents' rows until its ring list is computed for it again; then from the list", async () => {
    const line = await hotline('Edited', { channelsInbound: 5, channelsOutbound: 5 });
    await stack.streams.idle();
    // Only the second phone is on now: the list follows the phone's change.
    const [first] = (await call('GET', `/v1/agent-phones?owner_id=${agent}`)).body as { id: number; name: string; phone: string }[];
    expect((await call('PUT', `/v1/agent-phones/${first!.id}`, { isActive: false, name: first!.name, phone: first!.phone, userID: agent })).status).toBe(200);
    try {
      const fromList = await counted(() => hook(line.id, 'call', { call_sid: `edited-${randomUUID()}`, direction: 'inbound', from: '+4917012345678', to: line.number, call_status: 'ringing' }));
      expect(fromList.res.body.at(-1).target[0].number).toBe(phones[1]);
      expect(fromList.sent).toHaveLength(ROUND_TRIPS);

      // Edited (its name): the list is behind the hotline until the worker computes it again (held
      // here at its first write, its ticket). A call meanwhile reads the member row and the phones.
      const body = { agents: [agent], isActive: true, name: 'Edited again', organizationID: org, ttsInbound: 'Fire brigade, please hold.', channelsInbound: 5, channelsOutbound: 5 };
      const worker = holdTableCommand((c, text) => c.name === 'UpdateItem' && text.includes(`"HOTLINE#${line.id}"`) && text.includes('"RING"'));
      try {
        expect((await call('PUT', `/v1/hotlines/${line.id}`, body)).status).toBe(200);
        await worker.reached;
        const fromRows = await counted(() => hook(line.id, 'call', { call_sid: `edited-${randomUUID()}`, direction: 'inbound', from: '+4917012345678', to: line.number, call_status: 'ringing' }), true);
        expect(fromRows.res.body.at(-1).target[0].number).toBe(phones[1]);
        expect(fromRows.sent.map((c) => c.split(' ')[0])).toEqual(['BatchGetItem', 'BatchGetItem', 'Query', 'UpdateItem', 'TransactWriteItems']);
      } finally {
        worker.release();
        worker.stop();
      }
      // Computed again: from the list.
      const again = await counted(() => hook(line.id, 'call', { call_sid: `edited-${randomUUID()}`, direction: 'inbound', from: '+4917012345678', to: line.number, call_status: 'ringing' }));
      expect(again.res.body.at(-1).target[0].number).toBe(phones[1]);
      expect(again.sent).toHaveLength(ROUND_TRIPS);
    } finally {
      expect((await call('PUT', `/v1/agent-phones/${first!.id}`, { isActive: true, name: first!.name, phone: first!.phone, userID: agent })).status).toBe(200);
      await stack.streams.idle();
    }
  });
});
