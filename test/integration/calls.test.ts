// Calls through the local API: Vapi's end-of-call reports on our webhook (realistic payloads from the
// emulator's builder), stored once and summarised by email once, and the caller's call history.
import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { endOfCallReport } from '../../lib/local/emulators/vapi/end-of-call';
import { callsRepository, type CallRow } from '../../shared/db/calls';
import { expectUnchanged, settle } from '../support/state';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { newUser, rowOf, rowsOf } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const secret = () => stack.credentials.vapi!.webhookSecret!;
const post = (body: unknown, headers: Record<string, string> = { 'x-vapi-secret': secret() }) =>
  stack.call('POST', '/v1/webhooks/vapi', { body, headers });
const callRows = (sub: string) => rowsOf(stack, sub, 'CALL#');
const mailsTo = async (to: string) => (await stack.mails()).filter((m) => m.to?.includes(to));

/** A customer with settings (their email cached) and an assistant. */
async function owner(opts: { locale?: 'de' | 'en'; timezone?: string } = {}) {
  const u = await newUser(stack, {
    prefix: 'calls',
    settings: { locale: opts.locale ?? 'de', timezone: opts.timezone ?? 'Europe/Berlin' },
    assistant: { greeting: 'Guten Tag', language: 'de' },
  });
  return { sub: u.sub, email: u.email!, token: u.token, assistantId: u.assistantId! };
}

describe('POST /v1/webhooks/vapi', () => {
  it('without the secret, or with a wrong one → 401, nothing stored', async () => {
    const o = await owner();
    const before = await settle(stack);
    expect((await post(endOfCallReport({ assistantId: o.assistantId }), {})).status).toBe(401);
    expect((await post(endOfCallReport({ assistantId: o.assistantId }), { 'x-vapi-secret': 'not-the-secret' })).status).toBe(401);
    await expectUnchanged(stack, before, 'wrong secret');
  });

  it('other message types → 200 {} and no work', async () => {
    const before = await settle(stack);
    for (const type of ['status-update', 'hang', 'speech-update', 'transcript', 'assistant-request']) {
      const res = await post({ message: { type, timestamp: Date.now(), call: { id: randomUUID() } } });
      expect(res.status, type).toBe(200);
      expect(res.body).toEqual({});
    }
    await expectUnchanged(stack, before, 'other types');
  });

  it.each([
    ['no message', {}],
    ['a message that is not an object', { message: 'end-of-call-report' }],
    ['a message without a type', { message: { call: { id: 'x' } } }],
    ['an unknown field beside the message', { message: { type: 'hang' }, extra: true }],
    ['a report whose call id is not a string', { message: { type: 'end-of-call-report', call: { id: 42 } } }],
  ])('%s → 400, nothing stored', async (_what, body) => {
    const before = await settle(stack);
    expect((await post(body)).status).toBe(400);
    await expectUnchanged(stack, before, 'malformed');
  });

  it.each([
    ["the provider's sample: no call, no assistant", { message: { type: 'end-of-call-report' } }],
    ['a report without a call id', { message: { type: 'end-of-call-report', call: {}, assistant: { id: randomUUID() } } }],
    ['a report without an assistant', { message: { type: 'end-of-call-report', call: { id: randomUUID() } } }],
    ['a report whose call is null', { message: { type: 'end-of-call-report', call: null } }],
  ])('%s → 200 (it could never be resolved: a refusal would only be delivered again), nothing stored or sent', async (_what, body) => {
    const before = await settle(stack);
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    await expectUnchanged(stack, before, 'unresolvable report');
  });

  it('a report for an assistant we do not know → 200, nothing stored or sent', async () => {
    const before = await settle(stack);
    expect((await post(endOfCallReport({ assistantId: randomUUID() }))).status).toBe(200);
    await expectUnchanged(stack, before, 'unknown assistant');
  });

  it('a report is stored as the owner\'s call and summarised by email with the deep link, in their language and time zone', async () => {
    const o = await owner({ locale: 'en', timezone: 'America/New_York' });
    const report = endOfCallReport({ assistantId: o.assistantId, customerNumber: '+4917012345678', durationSeconds: 125, summary: 'Frau Weber möchte einen Termin am Dienstag.' });
    const callId = (report.message.call as { id: string }).id;
    expect((await post(report)).status).toBe(200);

    const [mail] = await waitFor('the summary email', async () => ((await mailsTo(o.email)).length ? mailsTo(o.email) : undefined));
    expect(mail!.subject).toBe('New call from +4917012345678');
    expect(mail!.text).toContain('Frau Weber möchte einen Termin am Dienstag.');
    expect(mail!.text).toContain(`http://localhost:5173/calls/${callId}`);
    expect(mail!.text).toContain('(America/New_York)');
    expect(mail!.text).toContain('2 min 5 s');

    const res = await stack.call('GET', `/v1/me/calls/${callId}`, { token: o.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ callId, callerNumber: '+4917012345678', durationSeconds: 125, summary: 'Frau Weber möchte einen Termin am Dienstag.' });
    expect(res.body.transcript).toEqual(expect.any(String));
    await stack.streams.idle();
    expect((await callRows(o.sub))[0]).toMatchObject({ summaryMailId: mail!.id });
  });

  it('the same report three times in a row and ten times at once: one call, one email', async () => {
    const o = await owner();
    const report = endOfCallReport({ assistantId: o.assistantId });
    for (let i = 0; i < 3; i++) expect((await post(report)).status).toBe(200);
    const other = endOfCallReport({ assistantId: o.assistantId });
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(other)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    await stack.streams.idle();
    expect(await callRows(o.sub)).toHaveLength(2);
    expect(await mailsTo(o.email)).toHaveLength(2);
  });

  it('a Mailgun failure is retried by the stream: one email in the end', async () => {
    const o = await owner();
    await stack.fault('mailgun', { mode: 'error', count: 1 });
    expect((await post(endOfCallReport({ assistantId: o.assistantId }))).status).toBe(200);
    await waitFor('the summary email', async () => (await mailsTo(o.email)).length > 0, 15_000);
    await stack.streams.idle();
    expect(await mailsTo(o.email)).toHaveLength(1);
  });

  it('no email on the settings: the address comes from Auth0, and is kept on the settings', async () => {
    // The demo customer exists in Auth0 with an address; their settings lose theirs.
    const token = stack.tokens.customer;
    const sub = 'auth0|demo-customer';
    const assistant = await stack.call('PUT', '/v1/me/assistant', { token, body: { greeting: 'Hallo', language: 'de' } });
    await stack.table.doc.send(
      new UpdateCommand({ TableName: stack.table.tableName, Key: { pk: `USER#${sub}`, sk: 'SETTINGS' }, UpdateExpression: 'SET email = :null', ExpressionAttributeValues: { ':null': null } }),
    );
    expect((await post(endOfCallReport({ assistantId: assistant.body.assistantId }))).status).toBe(200);
    await waitFor('the summary email', async () => (await mailsTo('customer@demo.fonella.local')).length > 0);
    const settings = await rowOf(stack, sub, 'SETTINGS');
    expect(settings!.email).toBe('customer@demo.fonella.local');
  });
});

describe('GET /v1/me/calls', () => {
  it('pages through 150 calls newest first, without gaps or duplicates', async () => {
    const { sub, token } = await newUser(stack, { prefix: 'history', email: null });
    const calls = callsRepository(stack.table);
    const start = Date.UTC(2026, 0, 1);
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) {
      const startedAt = new Date(start + i * 60_000).toISOString();
      const row: CallRow = {
        callId: `call-${i}-${randomUUID().slice(0, 8)}`,
        assistantId: 'a',
        callerNumber: null,
        startedAt,
        endedAt: startedAt,
        durationSeconds: 60,
        endedReason: 'customer-ended-call',
        summary: null,
        transcript: null,
        recordingUrl: null,
        cost: null,
        receivedAt: startedAt,
      };
      await calls.create(sub, row);
      ids.push(row.callId);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await stack.call('GET', `/v1/me/calls?limit=40${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((c: { callId: string }) => c.callId));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual([...ids].reverse());
    const first = await stack.call('GET', '/v1/me/calls', { token });
    expect(first.body.items).toHaveLength(20);
  });

  it("another user's call → 404; another user's cursor → 400; a garbled cursor → 400", async () => {
    const o = await owner();
    const report = endOfCallReport({ assistantId: o.assistantId });
    await post(report);
    const callId = (report.message.call as { id: string }).id;
    const { token: stranger } = await newUser(stack, { prefix: 'stranger', email: null });
    const res = await stack.call('GET', `/v1/me/calls/${callId}`, { token: stranger });
    expect(res.status).toBe(404);
    expect((await stack.call('GET', '/v1/me/calls/no-such-call', { token: o.token })).status).toBe(404);
    expect((await stack.call('GET', '/v1/me/calls', { token: stranger })).body.items).toEqual([]);
    const ownCursor = Buffer.from(JSON.stringify({ pk: `USER#${o.sub}`, sk: 'CALL#2026' })).toString('base64url');
    expect((await stack.call('GET', `/v1/me/calls?cursor=${ownCursor}`, { token: stranger })).body.type).toBe('urn:fonella:problem:invalid-cursor');
    expect((await stack.call('GET', '/v1/me/calls?cursor=garbage!', { token: o.token })).status).toBe(400);
  });
});
