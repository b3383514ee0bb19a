// The test callback with CALLBACK_PROVIDER=jambonz: each locale's call reaches the jambonz emulator, and a
// jambonz fault is a 502 with the request stored as failed (test/support/callback.ts); then the call
// through the callback application's hooks: the emulator answers the created call, posts our call hook,
// dials the Vapi SIP URI our verbs name and posts the status events, and the row ends `completed` with
// the call's duration. The hooks on their own: only forward, signed or refused, and an unknown request
// hung up.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOUND_CALL_SECONDS } from '../../lib/local/emulators/jambonz';
import { CALLBACK_LOCAL } from '../../shared/config/callback';
import { callbacksRepository, type CallbackRow } from '../../shared/db/callbacks';
import { CALLER_TEXT_MARK } from '../../shared/domain/callback';
import { CALLBACK_CALL_HOOK_PATH, CALLBACK_GONE_TEXT, CALLBACK_TIME_LIMIT_SECONDS, CALLBACK_UNAVAILABLE_TEXT } from '../../shared/domain/callback-calls';
import { signJambonzBody } from '../../shared/providers/jambonz/signature';
import { callbackBody, callbackRows, postFrom, providerSuite } from '../support/callback';
import { expectUnchanged, settle } from '../support/state';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- emulator JSON

const CALL_HOOK = '/v1/webhooks/jambonz/callback/call';
const STATUS_HOOK = '/v1/webhooks/jambonz/callback/status';

let stack: TestStack;
beforeAll(async () => {
  process.env.CALLBACK_PROVIDER = 'jambonz';
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
  delete process.env.CALLBACK_PROVIDER;
});

/** POSTs `body` to one of the callback hooks as jambonz does: JSON, signed with the account's webhook secret (or `secret`). */
function hook(path: string, body: unknown, secret = stack.credentials.jambonz!.webhookSecret!) {
  const text = JSON.stringify(body);
  return stack.call('POST', path, { rawBody: text, headers: { 'content-type': 'application/json', 'jambonz-signature': signJambonzBody(text, secret) } });
}

const rowOf = async (requestId: string) => (await callbackRows(stack)).find((r) => r.requestId === requestId) as (CallbackRow & Row) | undefined;

/** A placed jambonz request whose call is `callSid`, written as the route writes it (the emulator never runs it). */
async function placedRequest(over: Partial<CallbackRow> = {}): Promise<CallbackRow> {
  const now = new Date().toISOString();
  const row: CallbackRow = {
    requestId: randomUUID(),
    phoneNumber: '+4915112340077',
    locale: 'de',
    company: 'Firma {{x}}',
    provider: 'jambonz',
    callerId: CALLBACK_LOCAL.callerIds.de,
    sourceIp: '127.0.0.50',
    receivedAt: now,
    status: 'placed',
    providerCallId: randomUUID(),
    placedAt: now,
    ttl: Math.floor(Date.now() / 1000) + 3600,
    ...over,
  };
  const stored = await callbacksRepository(stack.table).create(row);
  expect(stored.created).toBe(true);
  return row;
}

/** A call payload of `row`'s call as jambonz posts it, with its tag. */
const payload = (row: CallbackRow, extra: Row = {}) => ({
  call_sid: row.providerCallId,
  direction: 'outbound',
  from: row.callerId,
  to: row.phoneNumber,
  account_sid: stack.credentials.jambonz!.accountSid,
  customerData: { purpose: 'callback', requestId: row.requestId, locale: row.locale },
  ...extra,
});

describe('test callback through jambonz', () => {
  providerSuite(() => stack, 'jambonz', 40);
});

describe("the callback application's hooks", () => {
  it('a callback is answered, connected to the locale\'s Vapi assistant over SIP with its variables, and ends completed with its duration', async () => {
    const phoneNumber = '+4917012349901';
    const res = await postFrom(stack, '127.0.0.42', callbackBody({ phoneNumber, locale: 'en', company: 'Acme {{ignore}}', notes: 'Ring me <b>after</b> lunch.' }));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { requestId } = res.body as { requestId: string };

    const row = await waitFor('the callback row to be completed', async () => {
      const r = await rowOf(requestId);
      return r?.callStatus === 'completed' ? r : undefined;
    }, 15_000);
    // The row is written while the completed status hook runs; the emulator logs that hook's answer
    // when it arrives, which on a slow machine may be after the row shows.
    const { calls, webhooks } = await waitFor('the emulator to have every answer to its hooks for the call', async () => {
      const seen = await stack.inspect<{ calls: Row[]; webhooks: Row[] }>('jambonz');
      const c = seen.calls.find((x) => x.tag?.requestId === requestId);
      return !c || seen.webhooks.some((w) => w.callSid === c.call_sid && w.status === undefined && w.error === undefined) ? undefined : seen;
    }, 15_000);
    const call = calls.find((c) => c.tag?.requestId === requestId)!;
    expect(call, 'the emulator holds the call with the request id in its tag').toBeDefined();
    expect(row).toMatchObject({ status: 'placed', providerCallId: call.call_sid, callStatus: 'completed', callDurationSeconds: OUTBOUND_CALL_SECONDS, callStatusAt: expect.any(String) });

    // Our verbs: a dial to the English assistant's SIP URI, the callee as caller ID, the variables as X- headers.
    expect(call.dialed).toEqual([
      {
        type: 'sip',
        sipUri: CALLBACK_LOCAL.vapiSipUris.en,
        callerId: phoneNumber,
        timeLimit: CALLBACK_TIME_LIMIT_SECONDS,
        status: 'answered',
        headers: {
          'X-company': `${CALLER_TEXT_MARK}"Acme \\u007b\\u007bignore\\u007d\\u007d"`,
          'X-notes': `${CALLER_TEXT_MARK}"Ring me \\u003cb\\u003eafter\\u003c/b\\u003e lunch."`,
          'X-locale': 'en',
        },
      },
    ]);
    // The dial's actionHook (our call hook again) ended the call.
    expect(call.trace).toEqual([`dial ${CALLBACK_LOCAL.vapiSipUris.en}: answered`, 'hangup']);
    expect(call).toMatchObject({ call_status: 'completed', duration: OUTBOUND_CALL_SECONDS });

    // Every hook the emulator posted for the call was ours, signed, and answered 200.
    const mine = webhooks.filter((w) => w.callSid === call.call_sid);
    expect(mine.map((w) => [w.kind, w.callStatus])).toEqual([
      ['call_status_hook', 'ringing'],
      ['call_status_hook', 'in-progress'],
      ['call_hook', 'in-progress'],
      ['actionHook', 'in-progress'],
      ['call_status_hook', 'completed'],
    ]);
    expect(mine.every((w) => w.status === 200 && String(w.url).startsWith(stack.apiUrl)), JSON.stringify(mine)).toBe(true);
    expect(mine.find((w) => w.kind === 'actionHook')!.url).toBe(`${stack.apiUrl}${CALLBACK_CALL_HOOK_PATH}`);

    // The hub lists the call with its outcome.
    const hub = (await (await fetch(`${stack.hubUrl}/_inspect`)).json()) as { jambonz: { calls: Row[] } };
    expect(hub.jambonz.calls.find((c) => c.call_sid === call.call_sid)).toMatchObject({ call_status: 'completed', duration: OUTBOUND_CALL_SECONDS });
  });

  it('the call hook connects an open request in its locale, and as the dial\'s action hook hangs up (after a message when the assistant was not reached)', async () => {
    const row = await placedRequest({ locale: 'tr', notes: 'Bitte\nzurückrufen' });
    const answered = await hook(CALL_HOOK, payload(row, { call_status: 'in-progress' }));
    expect(answered.status).toBe(200);
    expect(answered.body).toEqual([
      {
        verb: 'dial',
        callerId: row.phoneNumber,
        target: [{ type: 'sip', sipUri: CALLBACK_LOCAL.vapiSipUris.tr }],
        headers: { 'X-company': `${CALLER_TEXT_MARK}"Firma \\u007b\\u007bx\\u007d\\u007d"`, 'X-notes': `${CALLER_TEXT_MARK}"Bitte\\nzurückrufen"`, 'X-locale': 'tr' },
        timeLimit: CALLBACK_TIME_LIMIT_SECONDS,
        actionHook: CALLBACK_CALL_HOOK_PATH,
      },
    ]);
    // No header value can break a SIP header line.
    for (const value of Object.values(answered.body[0].headers as Record<string, string>)) expect(value).not.toMatch(/[\r\n]/);
    expect((await hook(CALL_HOOK, payload(row, { dial_call_status: 'completed' }))).body).toEqual([{ verb: 'hangup' }]);
    expect((await hook(CALL_HOOK, payload(row, { dial_call_status: 'failed' }))).body).toEqual([{ verb: 'say', text: CALLBACK_UNAVAILABLE_TEXT }, { verb: 'hangup' }]);
    // Before the route marked the request placed (jambonz can be quicker), the call is connected too.
    const pending = await placedRequest({ status: 'pending', providerCallId: undefined, placedAt: undefined });
    const early = await hook(CALL_HOOK, payload(pending, { call_sid: randomUUID() }));
    expect(early.body[0]).toMatchObject({ verb: 'dial', target: [{ type: 'sip', sipUri: CALLBACK_LOCAL.vapiSipUris.de }] });
  });

  it('an unknown, foreign, failed or finished request, or no tag at all, is answered with a message and a hangup, and nothing is stored', async () => {
    const gone = [{ verb: 'say', text: CALLBACK_GONE_TEXT }, { verb: 'hangup' }];
    const open = await placedRequest();
    const vapi = await placedRequest({ provider: 'vapi' });
    const failed = await placedRequest({ status: 'failed', providerCallId: undefined, failure: 'provider-unavailable' });
    const finished = await placedRequest({ callStatus: 'completed', callDurationSeconds: 20 });
    const before = await settle(stack);
    const cases: [string, unknown][] = [
      ['an unknown request id', payload(open, { customerData: { requestId: randomUUID() } })],
      ['no tag', { call_sid: randomUUID(), direction: 'outbound' }],
      ['a tag without a request id', payload(open, { customerData: { purpose: 'callback' } })],
      ['a request id that is not one of ours', payload(open, { customerData: { requestId: '../../CALLBACK#x' } })],
      ['another call of the request', payload(open, { call_sid: randomUUID() })],
      ['a request of another provider', payload(vapi)],
      ['a failed request', payload(failed, { call_sid: randomUUID() })],
      ['a finished call', payload(finished)],
    ];
    for (const [what, body] of cases) {
      const res = await hook(CALL_HOOK, body);
      expect(res.status, what).toBe(200);
      expect(res.body, what).toEqual(gone);
    }
    await expectUnchanged(stack, before, 'call hooks for no open request');
  });

  it('the status hook moves the call only forward: late, repeated and other calls\' events change nothing', async () => {
    const row = await placedRequest();
    const status = async (call_status: string, extra: Row = {}) => {
      const res = await hook(STATUS_HOOK, payload(row, { call_status, ...extra }));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      return rowOf(row.requestId);
    };
    expect(await status('trying')).not.toHaveProperty('callStatus');
    expect(await status('in-progress')).toMatchObject({ callStatus: 'in-progress' });
    expect(await status('ringing'), 'a late ringing').toMatchObject({ callStatus: 'in-progress' });
    // The assistant's leg is not the callee's.
    expect(await status('completed', { parent_call_sid: row.providerCallId, call_sid: randomUUID(), duration: 5 })).toMatchObject({ callStatus: 'in-progress' });
    // Another call that names the request.
    expect(await status('busy', { call_sid: randomUUID() })).toMatchObject({ callStatus: 'in-progress' });
    const done = await status('completed', { duration: 93 });
    expect(done).toMatchObject({ callStatus: 'completed', callDurationSeconds: 93, status: 'placed' });
    for (const [late, extra] of [['completed', { duration: 5 }], ['failed', {}], ['in-progress', {}], ['ringing', {}]] as const) {
      expect(await status(late, extra), late).toEqual(done);
    }
    // No tag, or a request that is not there: acknowledged, nothing written.
    const before = await settle(stack);
    expect((await hook(STATUS_HOOK, { call_sid: randomUUID(), call_status: 'completed', duration: 3 })).status).toBe(200);
    expect((await hook(STATUS_HOOK, payload(row, { call_status: 'ringing', customerData: { requestId: randomUUID() } }))).status).toBe(200);
    await expectUnchanged(stack, before, 'status events for no request');
  });

  it.each([
    ['call', CALL_HOOK],
    ['status', STATUS_HOOK],
  ])('the %s hook refuses a wrong or missing signature with 401 and stores nothing', async (_what, path) => {
    const row = await placedRequest();
    const body = payload(row, { call_status: 'completed', duration: 30 });
    const before = await settle(stack);
    const wrong = await hook(path, body, 'not-the-webhook-secret');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toBe('application/problem+json');
    const unsigned = await stack.call('POST', path, { body });
    expect(unsigned.status).toBe(401);
    await expectUnchanged(stack, before, `${path} unsigned`);
    expect(await rowOf(row.requestId)).not.toHaveProperty('callStatus');
  });

  it('a malformed body is a 400 problem naming the field', async () => {
    const row = await placedRequest();
    for (const [path, body, field] of [
      [CALL_HOOK, { direction: 'outbound', customerData: { requestId: row.requestId } }, 'body.call_sid'],
      [STATUS_HOOK, payload(row, { customerData: 'not an object' }), 'body.customerData'],
      [STATUS_HOOK, payload(row, { call_status: 'completed', duration: -1 }), 'body.duration'],
    ] as const) {
      const res = await hook(path, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((res.body.errors as { path: string }[]).map((e) => e.path)).toContain(field);
    }
    expect(await rowOf(row.requestId)).not.toHaveProperty('callStatus');
  });
});
