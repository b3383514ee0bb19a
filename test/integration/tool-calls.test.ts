// A custom tool called during a live call: the Vapi emulator plays the model calling the tool
// (`POST /_simulate/tool-call`: the `tool-calls` message on our webhook, as Vapi sends it), our webhook
// forwards the call to a receiver on this machine, signed with the tool's secret, and answers Vapi with
// the receiver's answer as the result, or with an error the model can speak about. Each tool call is
// recorded on the call.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolKey } from '../../shared/db/tools';
import { workerStack, type TestStack } from '../support/stack';
import { startToolReceiver, type ToolReceiver } from '../support/tool-receiver';
import { newUser, rowsOf } from '../support/users';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- emulator JSON

let stack: TestStack;
let receiver: ToolReceiver;
beforeAll(async () => {
  stack = await workerStack();
  receiver = await startToolReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

/** A customer with an assistant, and `make` to add a tool pointing at the receiver's `path`. */
async function customer() {
  const u = await newUser(stack, { prefix: 'tool-calls', assistant: { greeting: 'Guten Tag', language: 'de' } });
  const make = async (name: string, path: string, extra: Json = {}) => {
    const res = await stack.call('POST', '/v1/me/tools', {
      token: u.token,
      body: {
        name,
        description: `The ${name} tool.`,
        parameters: { type: 'object', properties: { date: { type: 'string', format: 'date' }, people: { type: 'integer' } }, required: ['date'] },
        url: `${receiver.url}${path}`,
        timeoutSeconds: 3,
        ...extra,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; secret: string; name: string };
  };
  return { ...u, assistantId: u.assistantId!, make };
}

/** What the Vapi emulator answers for a simulated tool call: every result, and per message its delivery. */
async function simulate(body: Json): Promise<{ callId: string; results: Json[]; deliveries: Json[] }> {
  const res = await fetch(`${stack.emulators.vapi}/_simulate/tool-call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { callId: string; results: Json[]; deliveries: Json[] };
}
const requestsTo = (path: string) => receiver.requests.filter((r) => r.path === path);

describe('a tool call during a live call', () => {
  it('reaches the receiver signed with the tool\'s secret, and its answer is the result Vapi gets', async () => {
    const c = await customer();
    const tool = await c.make('check_calendar', '/ok/calendar-1');
    const out = await simulate({ assistantId: c.assistantId, customerNumber: '+4917099887766', calls: [{ name: 'check_calendar', arguments: { date: '2027-01-15', people: 2 } }] });

    const [request] = requestsTo('/ok/calendar-1');
    expect(request).toBeDefined();
    // Standard Webhooks, verified by its own package with the secret the create answered.
    const verified = new Webhook(tool.secret).verify(request!.body, request!.headers as Record<string, string>) as Json;
    const toolCallId = out.results[0]!.toolCallId as string;
    expect(request!.headers['webhook-id']).toBe(toolCallId);
    expect(verified).toEqual({
      type: 'tool.call',
      timestamp: expect.any(String),
      data: { toolCallId, toolId: tool.id, name: 'check_calendar', arguments: { date: '2027-01-15', people: 2 }, call: { id: out.callId, callerNumber: '+4917099887766' } },
    });
    expect(() => new Webhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`).verify(request!.body, request!.headers as Record<string, string>)).toThrow();

    expect(out.results).toEqual([{ toolCallId, name: 'check_calendar', result: receiver.answer }]);
    // Vapi heard a 200 with that answer, as the emulator recorded it.
    expect(out.deliveries).toEqual([{ url: `${stack.apiUrl}/v1/webhooks/vapi`, toolCallIds: [toolCallId], status: 200, response: { results: out.results } }]);
    const vapi = await stack.inspect<{ webhooks: Json[] }>('vapi');
    expect(vapi.webhooks.find((w) => w.type === 'tool-calls' && w.toolCallIds?.includes(toolCallId))).toMatchObject({ status: 200, response: { results: out.results } });
    // Kept as long as the account keeps its calls (no choice made: the stage's 90 days).
    const [row] = (await rowsOf(stack, c.sub, 'TOOLCALL#')).filter((r) => r.toolCallId === toolCallId);
    expect(row?.ttl).toBe(Math.floor(Date.parse(String(row?.startedAt)) / 1000) + 90 * 86_400);
  });

  it('without arguments the emulator plays the model with example values of the parameters', async () => {
    const c = await customer();
    await c.make('check_calendar', '/ok/calendar-2');
    await simulate({ assistantId: c.assistantId, calls: [{ name: 'check_calendar' }] });
    const body = JSON.parse(requestsTo('/ok/calendar-2')[0]!.body) as Json;
    expect(body.data.arguments).toEqual({ date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), people: 1 });
  });

  it('a receiver that sleeps past the timeout → an error result the model can speak about, a 200 to Vapi', async () => {
    const c = await customer();
    await c.make('slow_calendar', '/sleep/4000', { timeoutSeconds: 1 });
    const out = await simulate({ assistantId: c.assistantId, calls: [{ name: 'slow_calendar', arguments: { date: '2027-01-15' } }] });
    expect(out.results).toEqual([{ toolCallId: expect.any(String), name: 'slow_calendar', error: 'Tool "slow_calendar" did not answer within 1 seconds: its service is not reachable right now.' }]);
    expect(out.deliveries[0]).toMatchObject({ status: 200 });
  });

  it.each([
    ['a 503', '/status/503', 'Tool "t" failed: its service answered with status 503.'],
    ['a 404', '/status/404', 'Tool "t" failed: its service answered with status 404.'],
    ['a redirect (not followed)', '/status/302', 'Tool "t" failed: its service answered with status 302.'],
    ['an answer over 8 KB', '/big/8193', 'Tool "t" answered with more than 8192 bytes, too much to use.'],
  ])('%s → an error result, a 200 to Vapi', async (_what, path, error) => {
    const c = await customer();
    await c.make('t', path);
    const out = await simulate({ assistantId: c.assistantId, calls: [{ name: 't', arguments: { date: '2027-01-15' } }] });
    expect(out.results).toEqual([{ toolCallId: expect.any(String), name: 't', error }]);
    expect(out.deliveries[0]).toMatchObject({ status: 200 });
  });

  it('an answer of exactly 8 KB is the result', async () => {
    const c = await customer();
    await c.make('t', '/big/8192');
    const out = await simulate({ assistantId: c.assistantId, calls: [{ name: 't', arguments: { date: '2027-01-15' } }] });
    expect(out.results[0]!.result).toHaveLength(8192);
  });

  it('a name the assistant has no tool of → an error result, nothing sent anywhere', async () => {
    const c = await customer();
    await c.make('check_calendar', '/ok/calendar-3');
    const before = receiver.requests.length;
    const out = await simulate({ assistantId: c.assistantId, calls: [{ name: 'book_table', arguments: {} }] });
    expect(out.results).toEqual([{ toolCallId: expect.any(String), name: 'book_table', error: 'No tool named "book_table" is available.' }]);
    expect(out.deliveries[0]).toMatchObject({ status: 200 });
    expect(receiver.requests.length).toBe(before);
  });

  it('two tool calls in one message run at once: each waits for the other at the receiver', async () => {
    const c = await customer();
    // The receiver answers neither until both are in: one after the other, the first would time out.
    await c.make('first', '/barrier/2', { timeoutSeconds: 5 });
    await c.make('second', '/barrier/2', { timeoutSeconds: 5 });
    const out = await simulate({ assistantId: c.assistantId, calls: [{ name: 'first', arguments: { date: '2027-01-15' } }, { name: 'second', arguments: { date: '2027-01-16' } }] });
    // One message carried both (the same server: our webhook).
    expect(out.deliveries).toHaveLength(1);
    expect(out.deliveries[0]!.toolCallIds).toHaveLength(2);
    expect(out.results.map((r) => [r.name, r.result])).toEqual([
      ['first', '{"together":true}'],
      ['second', '{"together":true}'],
    ]);
  });

  it('a URL that is not public now is refused at the call (resolved at every call): an error result, nothing sent', async () => {
    const c = await customer();
    const tool = await c.make('check_calendar', '/ok/calendar-4');
    // As if its name pointed at a private address now: the row says so (the route would not take it).
    await stack.table.doc.send(
      new UpdateCommand({ TableName: stack.table.tableName, Key: toolKey(c.sub, tool.id), UpdateExpression: 'SET #u = :u', ExpressionAttributeNames: { '#u': 'url' }, ExpressionAttributeValues: { ':u': 'https://10.0.0.5/hook' } }),
    );
    const out = await simulate({ assistantId: c.assistantId, calls: [{ name: 'check_calendar', arguments: { date: '2027-01-15' } }] });
    expect(out.results).toEqual([{ toolCallId: expect.any(String), name: 'check_calendar', error: 'Tool "check_calendar" cannot be reached: its address is not allowed.' }]);
  });

  it('each tool call is recorded on the call: name, start, duration, outcome, status; not the arguments or the answer', async () => {
    const c = await customer();
    await c.make('check_calendar', '/ok/calendar-5');
    await c.make('broken', '/status/500');
    const first = await simulate({ assistantId: c.assistantId, calls: [{ name: 'check_calendar', arguments: { date: '2027-03-03', people: 77 } }] });
    await simulate({ assistantId: c.assistantId, callId: first.callId, calls: [{ name: 'broken', arguments: { date: '2027-03-04' } }, { name: 'gone', arguments: {} }] });
    const report = await fetch(`${stack.emulators.vapi}/_simulate/end-of-call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assistantId: c.assistantId, callId: first.callId }) });
    expect(report.status).toBe(200);

    const res = await stack.call('GET', `/v1/me/calls/${first.callId}`, { token: c.token });
    expect(res.status).toBe(200);
    expect(res.body.toolCalls).toEqual([
      { toolCallId: expect.any(String), name: 'check_calendar', startedAt: expect.any(String), durationMs: expect.any(Number), outcome: 'ok', status: 200 },
      expect.objectContaining({ name: expect.stringMatching(/^(broken|gone)$/) }),
      expect.objectContaining({ name: expect.stringMatching(/^(broken|gone)$/) }),
    ]);
    expect(res.body.toolCalls.slice(1).map((t: Json) => [t.name, t.outcome, t.status]).sort()).toEqual([
      ['broken', 'http-error', 500],
      ['gone', 'unknown-tool', undefined],
    ]);
    const rows = await rowsOf(stack, c.sub, 'TOOLCALL#');
    expect(rows).toHaveLength(3);
    expect(JSON.stringify(rows)).not.toContain('2027-03-0');
    expect(JSON.stringify(rows)).not.toContain('freeSlots');
    // Another customer does not see them: the call is not theirs.
    const other = await customer();
    expect((await stack.call('GET', `/v1/me/calls/${first.callId}`, { token: other.token })).status).toBe(404);
  });
});

describe('tool-calls on the webhook itself', () => {
  const post = (message: Json) => stack.call('POST', '/v1/webhooks/vapi', { body: { message }, headers: { 'x-vapi-secret': stack.credentials.vapi!.webhookSecret! } });

  it('arguments as an object (as Vapi also sends them) are forwarded; arguments that are not a JSON object are an error result', async () => {
    const c = await customer();
    await c.make('check_calendar', '/ok/calendar-6');
    const call = { id: 'call-object-args', assistantId: c.assistantId };
    const res = await post({ type: 'tool-calls', call, toolCallList: [
      { id: 'tc-1', type: 'function', function: { name: 'check_calendar', arguments: { date: '2027-02-02' } } },
      { id: 'tc-2', type: 'function', function: { name: 'check_calendar', arguments: '[1, 2]' } },
    ] });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { toolCallId: 'tc-1', name: 'check_calendar', result: receiver.answer },
      { toolCallId: 'tc-2', name: 'check_calendar', error: 'The arguments for tool "check_calendar" were not a JSON object.' },
    ]);
    expect(JSON.parse(requestsTo('/ok/calendar-6')[0]!.body).data.arguments).toEqual({ date: '2027-02-02' });
  });

  it('an assistant we do not know → an error result per tool call, a 200', async () => {
    const res = await post({ type: 'tool-calls', call: { id: 'call-x', assistantId: '00000000-0000-4000-8000-000000000000' }, toolCallList: [{ id: 'tc-9', type: 'function', function: { name: 'anything', arguments: '{}' } }] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ results: [{ toolCallId: 'tc-9', name: 'anything', error: 'No tool named "anything" is available.' }] });
  });

  it('a tool-calls message without its tool calls\' ids → 400 naming them', async () => {
    const res = await post({ type: 'tool-calls', toolCallList: [{ function: { name: 'x' } }] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('body.message.toolCallList.0.id');
  });
});
