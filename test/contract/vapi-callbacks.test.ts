// What the Vapi emulator sends on its own once a call has ended: the end-of-call report, built as
// Vapi builds it (end-of-call.ts), posted by the `/_simulate/end-of-call` hook to the server URL an
// assistant was created with through the real adapter, with its X-Vapi-Secret header; the call and
// the delivery it records, how it refuses bad requests, an unreachable or silent server, and the
// hub's "Simulate a call" button that drives the hook.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHub } from '../../lib/local/emulators/hub';
import { createVapiEmulator } from '../../lib/local/emulators/vapi';
import { endOfCallReport } from '../../lib/local/emulators/vapi/end-of-call';
import { assistantConfig } from '../../shared/config/assistant';
import { vapiAdapter } from '../../shared/providers/vapi/adapter';
import type { AssistantSpec, VoiceAssistants } from '../../shared/providers/vapi/port';
import { useEmulator } from '../support/emulator';

type Row = Record<string, unknown> & { id: string };
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface State {
  calls: Row[];
  webhooks: { callId: string; assistantId: string; url: string; type: string; status?: number; error?: string; at: string }[];
}

const emulatorDef = createVapiEmulator();
const emulator = useEmulator(emulatorDef);
const state = () => emulator.inspect<State>();
let vapi: VoiceAssistants;

// --- the receiver: records every request; each test posts to a path of its own ----------------------
interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Json;
}
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Paths the receiver answers with this status, or (0) never answers. */
const answers = new Map<string, number>();
let path = '';
let tests = 0;

beforeAll(async () => {
  vapi = vapiAdapter({ apiKey: emulatorDef.credentials.apiKey!, baseUrl: emulator.baseUrl });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      received.push({ method: req.method ?? '', path: url, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as Json });
      const status = answers.get(url) ?? 200;
      if (status === 0) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});
beforeEach(() => {
  path = `/v1/webhooks/vapi/${++tests}`;
});

const SECRET = 'vapi-secret-0123456789';
const spec = (server: AssistantSpec['server']): AssistantSpec => ({
  userId: 'usr_123',
  name: 'Bäckerei Sonnenschein',
  greeting: 'Guten Tag, Bäckerei Sonnenschein, wie kann ich helfen?',
  speech: assistantConfig().speech.de,
  systemPrompt: 'Du bist die freundliche Telefonassistenz der Bäckerei.',
  server,
});
const simulate = (body: unknown) =>
  fetch(`${emulator.baseUrl}/_simulate/end-of-call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const mine = () => received.filter((r) => r.path === path);

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('POST /_simulate/end-of-call', () => {
  it("posts the end-of-call report to the assistant's server URL with its X-Vapi-Secret, without an API key", async () => {
    const assistant = await vapi.createAssistant(spec({ url: `${receiverUrl}${path}`, secret: SECRET }));
    const number = await vapi.createProviderNumber({ assistantId: assistant.id });

    const res = await simulate({ assistantId: assistant.id, customerNumber: '+4915112345678', durationSeconds: 73.5, summary: 'Kunde bestellt eine Torte.' });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { callId: string; delivered: { status?: number; error?: string } };
    expect(answer.delivered).toEqual({ status: 200 });

    const [req] = mine();
    expect(mine()).toHaveLength(1);
    expect(req!.method).toBe('POST');
    expect(req!.headers['x-vapi-secret']).toBe(SECRET);
    expect(req!.headers['content-type']).toContain('application/json');
    const m = req!.body.message as Json;
    expect(m.type).toBe('end-of-call-report');
    expect(m.call).toMatchObject({
      id: answer.callId,
      type: 'inboundPhoneCall',
      status: 'ended',
      assistantId: assistant.id,
      phoneNumberId: number.id,
      customer: { number: '+4915112345678' },
      endedReason: m.endedReason,
      startedAt: m.startedAt,
      endedAt: m.endedAt,
    });
    expect(m.assistant).toMatchObject({ id: assistant.id, name: 'Bäckerei Sonnenschein', firstMessage: 'Guten Tag, Bäckerei Sonnenschein, wie kann ich helfen?' });
    expect(m.phoneNumber).toMatchObject({ id: number.id, number: number.number });
    expect(m.customer).toEqual({ number: '+4915112345678' });
    expect(m.durationSeconds).toBe(73.5);
    expect(m.durationMs).toBe(73500);
    expect(Date.parse(m.endedAt as string) - Date.parse(m.startedAt as string)).toBe(73500);
    expect(m.analysis.summary).toBe('Kunde bestellt eine Torte.');
    expect(m.artifact.transcript).toMatch(/^AI: Guten Tag, Bäckerei Sonnenschein, wie kann ich helfen\?\nUser: \S/);
    expect(m.artifact.recordingUrl).toMatch(/^https:\/\/.+\.wav$/);
    expect(m.recordingUrl).toBe(m.artifact.recordingUrl);
    expect(m.cost).toBeGreaterThan(0);
    // The secret travels in the header only.
    expect(JSON.stringify(req!.body)).not.toContain(SECRET);
  });

  it('records the call and the delivery with the status the server answered', async () => {
    answers.set(path, 503);
    const assistant = await vapi.createAssistant(spec({ url: `${receiverUrl}${path}`, secret: SECRET }));
    const res = await simulate({ assistantId: assistant.id });
    const answer = (await res.json()) as { callId: string; delivered: { status?: number } };
    expect(res.status).toBe(200);
    expect(answer.delivered).toEqual({ status: 503 });

    const s = await state();
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({ id: answer.callId, type: 'inboundPhoneCall', status: 'ended', assistantId: assistant.id });
    expect(s.calls[0]).not.toHaveProperty('phoneNumberId');
    expect(s.webhooks).toEqual([
      { callId: answer.callId, assistantId: assistant.id, url: `${receiverUrl}${path}`, type: 'end-of-call-report', status: 503, at: expect.any(String) },
    ]);
    // The recorded call is what GET /call/:id answers.
    const call = await fetch(`${emulator.baseUrl}/call/${answer.callId}`, { headers: { authorization: `Bearer ${emulatorDef.credentials.apiKey}` } });
    expect(await call.json()).toMatchObject({ id: answer.callId, status: 'ended' });
  });

  it('reports a server it could not reach, still answering 200', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1/webhooks/vapi`;
    const assistant = await vapi.createAssistant(spec({ url, secret: SECRET }));
    const res = await simulate({ assistantId: assistant.id });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { callId: string; delivered: { status?: number; error?: string } };
    expect(answer.delivered.status).toBeUndefined();
    expect(answer.delivered.error).toMatch(/ECONNREFUSED/);
    const [delivery] = (await state()).webhooks;
    expect(delivery).toMatchObject({ callId: answer.callId, url, error: answer.delivered.error });
    expect(delivery).not.toHaveProperty('status');
  });

  it("gives up on a server that does not answer within the assistant's timeoutSeconds", async () => {
    answers.set(path, 0);
    const assistant = await vapi.createAssistant(spec({ url: `${receiverUrl}${path}`, secret: SECRET, timeoutSeconds: 1 }));
    const answer = (await (await simulate({ assistantId: assistant.id })).json()) as { delivered: { error?: string } };
    expect(mine()).toHaveLength(1);
    expect(answer.delivered.error).toMatch(/timeout/i);
  });

  it('answers 404 for an unknown assistant, 409 for one without a server URL, 400 for a bad body, and records nothing', async () => {
    const unknown = await simulate({ assistantId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toContain('00000000-0000-4000-8000-000000000000');

    const bare = await fetch(`${emulator.baseUrl}/assistant`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulatorDef.credentials.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'No server' }),
    });
    const noServer = await simulate({ assistantId: ((await bare.json()) as { id: string }).id });
    expect(noServer.status).toBe(409);

    const assistant = await vapi.createAssistant(spec({ url: `${receiverUrl}${path}`, secret: SECRET }));
    for (const body of [
      {},
      { assistantId: 42 },
      { assistantId: assistant.id, customerNumber: '0151 1234' },
      { assistantId: assistant.id, durationSeconds: -3 },
      { assistantId: assistant.id, surprise: true },
      '{"assistantId":',
    ]) {
      const res = await simulate(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { message: string }).message).toEqual(expect.any(String));
    }
    expect(mine()).toHaveLength(0);
    expect(await state()).toMatchObject({ calls: [], webhooks: [] });
  });
});

describe('the hub\'s "Simulate a call" button', () => {
  it('shows on an assistant with a server URL and drives the hook through the emulator, from the page and as JSON', async () => {
    const hub = await startHub([emulator.running]);
    try {
      const assistant = await vapi.createAssistant(spec({ url: `${receiverUrl}${path}`, secret: SECRET }));
      const page = await (await fetch(hub.url)).text();
      expect(page).toContain(`action="/_vapi/simulate/end-of-call" class="simulate"><input type="hidden" name="assistantId" value="${assistant.id}">`);
      const form = await fetch(`${hub.url}/_vapi/simulate/end-of-call`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ assistantId: assistant.id }).toString(),
        redirect: 'manual',
      });
      expect(form.status).toBe(303);
      const json = await fetch(`${hub.url}/_vapi/simulate/end-of-call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assistantId: assistant.id }),
      });
      expect(json.status).toBe(200);
      const answer = (await json.json()) as { callId: string; delivered: { status: number } };
      expect(answer.delivered).toEqual({ status: 200 });
      expect(mine().map((r) => (r.body.message as Json).call.id)).toEqual([(await state()).calls[0]!.id, answer.callId]);
      expect(mine().every((r) => r.headers['x-vapi-secret'] === SECRET)).toBe(true);
      // The emulator's refusal comes back as it is.
      const unknown = await fetch(`${hub.url}/_vapi/simulate/end-of-call`, { method: 'POST', body: JSON.stringify({ assistantId: 'asst-nope' }) });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { message: string }).message).toContain('asst-nope');
    } finally {
      await hub.close();
    }
  });
});

describe('endOfCallReport', () => {
  const startedAt = new Date('2026-03-02T09:15:00.000Z');
  const build = (extra: Partial<Parameters<typeof endOfCallReport>[0]> = {}) =>
    endOfCallReport({ assistantId: 'asst-1', callId: 'call-1', orgId: 'org-1', startedAt, ...extra }).message as Json;

  it('is the same for the same input, ids and times included', () => {
    expect(build({ durationSeconds: 61 })).toEqual(build({ durationSeconds: 61 }));
    const fresh = endOfCallReport({ assistantId: 'asst-1' }).message as Json;
    expect(fresh.call.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.call.orgId).toMatch(/^[0-9a-f-]{36}$/);
    expect(endOfCallReport({ assistantId: 'asst-1' }).message.call).not.toMatchObject({ id: fresh.call.id });
  });

  it('keeps times, durations and the conversation consistent, long call or short', () => {
    for (const durationSeconds of [94.3, 12, 600]) {
      const m = build({ durationSeconds });
      const start = Date.parse(m.startedAt as string);
      const end = Date.parse(m.endedAt as string);
      expect(m.startedAt).toBe(startedAt.toISOString());
      expect(m.durationMs).toBe(Math.round(durationSeconds * 1000));
      expect(end - start).toBe(m.durationMs);
      expect(m.durationSeconds).toBe(durationSeconds);
      expect(m.durationMinutes).toBeCloseTo(durationSeconds / 60, 3);
      expect(m.timestamp).toBeGreaterThan(end);
      const spoken = (m.artifact.messages as Json[]).filter((x) => x.role !== 'system');
      expect(spoken.length).toBeGreaterThanOrEqual(3);
      const froms = spoken.map((x) => x.secondsFromStart as number);
      expect(froms).toEqual([...froms].sort((a, b) => a - b));
      for (const x of spoken) {
        expect(x.time).toBe(start + Math.round(x.secondsFromStart * 1000));
        expect(x.endTime).toBeLessThanOrEqual(end);
      }
      // One transcript line per spoken message, in Vapi's AI/User form; the same in every copy.
      const lines = (m.artifact.transcript as string).trimEnd().split('\n');
      expect(lines).toEqual(spoken.map((x) => `${x.role === 'bot' ? 'AI' : 'User'}: ${x.message}`));
      expect(m.transcript).toBe(m.artifact.transcript);
      expect(m.messages).toEqual(m.artifact.messages);
      expect((m.artifact.messagesOpenAIFormatted as Json[]).map((x) => x.role)).toEqual(['system', ...spoken.map((x) => (x.role === 'bot' ? 'assistant' : 'user'))]);
    }
  });

  it('adds the costs up and reports them in every place Vapi does', () => {
    const m = build();
    const b = m.costBreakdown as Json;
    const analysis = (b.analysisCostBreakdown.summary as number) + (b.analysisCostBreakdown.successEvaluation as number);
    expect(b.total).toBe(m.cost);
    expect(b.transport + b.stt + b.llm + b.tts + b.vapi + analysis).toBeCloseTo(m.cost as number, 3);
    expect((m.costs as Json[]).reduce((n, c) => n + (c.cost as number), 0)).toBeCloseTo(m.cost as number, 3);
    expect(b.llmPromptTokens).toBeGreaterThan(b.llmCompletionTokens);
    expect(m.call).toMatchObject({ cost: m.cost, costBreakdown: b, endedReason: 'customer-ended-call' });
  });

  it("uses what it is given: the caller, the summary, the assistant (without its server's headers) and the number", () => {
    const m = build({
      customerNumber: '+4930123456',
      summary: 'Rückruf erbeten.',
      endedReason: 'assistant-ended-call',
      assistant: { name: 'Salon Lindner', firstMessage: 'Salon Lindner, guten Tag!', server: { url: 'https://api.example/v1/webhooks/vapi', headers: { 'X-Vapi-Secret': 'hidden-s3cret' }, timeoutSeconds: 20 } },
      phoneNumber: { id: 'pn-1', number: '+4930999', provider: 'byo-phone-number' },
    });
    expect(m.customer).toEqual({ number: '+4930123456' });
    expect(m.call).toMatchObject({ customer: { number: '+4930123456' }, phoneNumberId: 'pn-1', endedReason: 'assistant-ended-call' });
    expect(m.analysis).toEqual({ summary: 'Rückruf erbeten.', successEvaluation: 'true' });
    expect(m.summary).toBe('Rückruf erbeten.');
    expect(m.artifact.transcript).toMatch(/^AI: Salon Lindner, guten Tag!\n/);
    expect(m.assistant).toMatchObject({ id: 'asst-1', name: 'Salon Lindner', server: { url: 'https://api.example/v1/webhooks/vapi', timeoutSeconds: 20 } });
    expect(JSON.stringify(m)).not.toContain('hidden-s3cret');
    expect(m.phoneNumber).toEqual({ id: 'pn-1', number: '+4930999', provider: 'byo-phone-number' });
    // A number on our own SIP trunk costs Vapi no transport.
    expect(m.costBreakdown.transport).toBe(0);
    // Without a number, there is none in the report.
    expect(build()).not.toHaveProperty('phoneNumber');
    expect(build().call).not.toHaveProperty('phoneNumberId');
  });
});

describe('POST /_simulate/tool-call', () => {
  const simulateTools = (body: unknown) =>
    fetch(`${emulator.baseUrl}/_simulate/tool-call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  /** An assistant (through the real adapter) with the tools given, each served at `toolPath` unless it says otherwise. */
  async function withTools(toolPath: string, names: string[]) {
    const { id } = await vapi.createAssistant(spec({ url: `${receiverUrl}${path}`, secret: SECRET }));
    const tools = names.map((name) => ({
      name,
      description: `The ${name} tool.`,
      parameters: { type: 'object', properties: { day: { type: 'string', enum: ['mon', 'tue'] } }, required: ['day'] },
      server: { url: `${receiverUrl}${toolPath}`, secret: 'tool-server-secret', timeoutSeconds: 4 },
      messages: { start: { de: 'Einen Moment.' } },
    }));
    await vapi.updateAssistant(id, { systemPrompt: 'Du hilfst.', tools });
    return id;
  }

  it("posts the tool-calls message as Vapi does (the SDK's ServerMessageToolCalls) to the tool's server with its headers", async () => {
    const toolPath = `${path}/tools`;
    const assistantId = await withTools(toolPath, ['check_day']);
    const res = await simulateTools({ assistantId, customerNumber: '+4930123456', calls: [{ name: 'check_day', arguments: { day: 'tue' } }] });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Json;
    const [request] = received.filter((r) => r.path === toolPath);
    expect(request!.method).toBe('POST');
    expect(request!.headers['x-vapi-secret']).toBe('tool-server-secret');
    const m = request!.body.message as Json;
    expect(m.type).toBe('tool-calls');
    // ToolCall: id, type, function { name, arguments } with the arguments as JSON text.
    expect(m.toolCallList).toEqual([{ id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'check_day', arguments: '{"day":"tue"}' } }]);
    // ServerMessageToolCallsToolWithToolCallListItem.Function: the tool's definition with its call, its server without headers.
    expect(m.toolWithToolCallList).toEqual([
      expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'check_day' }), server: { url: `${receiverUrl}${toolPath}`, timeoutSeconds: 4 }, toolCall: m.toolCallList[0] }),
    ]);
    expect(m.call).toMatchObject({ id: answer.callId, type: 'inboundPhoneCall', status: 'in-progress', assistantId, customer: { number: '+4930123456' } });
    expect(m.customer).toEqual({ number: '+4930123456' });
    expect(m.assistant.id).toBe(assistantId);
    expect(JSON.stringify(m)).not.toContain('tool-server-secret');
    expect(JSON.stringify(m)).not.toContain(SECRET);
    // The receiver answered `{}`, no result for the call: the hook says so per tool call.
    expect(answer.results).toEqual([{ toolCallId: m.toolCallList[0].id, name: 'check_day', error: 'No result for this tool call (HTTP 200).' }]);
    expect(answer.deliveries).toEqual([{ url: `${receiverUrl}${toolPath}`, toolCallIds: [m.toolCallList[0].id], status: 200, response: {} }]);
    const delivery = (await state()).webhooks.at(-1)!;
    expect(delivery).toMatchObject({ type: 'tool-calls', assistantId, callId: answer.callId, status: 200 });
    // The call lists its tool calls as they were answered (what the hub shows per call).
    expect((await state()).calls.find((c) => c.id === answer.callId)).toMatchObject({ status: 'in-progress', toolCalls: [{ toolCallId: m.toolCallList[0].id, error: 'HTTP 200' }] });
  });

  it('a name the assistant has no tool of goes to the assistant\'s server URL; calls to one server travel in one message', async () => {
    const assistantId = await withTools(`${path}/tools`, ['a', 'b']);
    const answer = (await (await simulateTools({ assistantId, calls: [{ name: 'a' }, { name: 'b' }, { name: 'unknown' }] })).json()) as Json;
    expect(answer.deliveries.map((d: Json) => [d.url, d.toolCallIds.length])).toEqual([
      [`${receiverUrl}${path}/tools`, 2],
      [`${receiverUrl}${path}`, 1],
    ]);
    const toServer = received.filter((r) => r.path === `${path}/tools`);
    // Without arguments: an example built from the parameters (the first enum value).
    expect(toServer[0]!.body.message.toolCallList.map((c: Json) => c.function.arguments)).toEqual(['{"day":"mon"}', '{"day":"mon"}']);
    expect(mine()[0]!.headers['x-vapi-secret']).toBe(SECRET);
  });

  it('refuses a bad body (400), an unknown assistant (404), an assistant and tool with nowhere to send (409)', async () => {
    expect((await simulateTools({ assistantId: 'x' })).status).toBe(400);
    expect((await simulateTools({ assistantId: 'x', calls: [] })).status).toBe(400);
    expect((await simulateTools({ assistantId: 'nope', calls: [{ name: 'a' }] })).status).toBe(404);
    const bare = await vapi.createAssistant({ ...spec({ url: 'https://x.example', secret: SECRET }) });
    await fetch(`${emulator.baseUrl}/assistant/${bare.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${emulatorDef.credentials.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ server: { url: undefined } }),
    });
    const state0 = (await state()).webhooks.length;
    const noServer = await (await fetch(`${emulator.baseUrl}/assistant`, { method: 'POST', headers: { authorization: `Bearer ${emulatorDef.credentials.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'no server' }) })).json();
    expect((await simulateTools({ assistantId: (noServer as Json).id, calls: [{ name: 'a' }] })).status).toBe(409);
    expect((await state()).webhooks.length).toBe(state0);
  });

  it("takes model.tools as Vapi validates them: a function's name of letters, digits, _ and - only", async () => {
    const { id } = await vapi.createAssistant(spec({ url: `${receiverUrl}${path}`, secret: SECRET }));
    const res = await fetch(`${emulator.baseUrl}/assistant/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${emulatorDef.credentials.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: { provider: 'openai', model: 'gpt-4o', tools: [{ type: 'function', function: { name: 'check day' } }] } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).message[0]).toMatch(/model\.tools\.function\.name must be a-z/);
  });
});
