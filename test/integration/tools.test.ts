// Custom tools through the local API (/v1/me/tools...): validation, the tool attached to the
// customer's assistant in the Vapi emulator (its server our webhook, never the customer's URL), the
// row and the assistant row's list, a Vapi or a table failure that leaves nothing half-attached, the
// limit per account, the assistant's own PUT keeping the tools, and an account deletion removing them.
import { beforeAll, describe, expect, it } from 'vitest';
import { assistantConfig } from '../../shared/config/assistant';
import { toolConfig } from '../../shared/config/tools';
import { webhookConfig } from '../../shared/config/webhooks';
import { kmsKeyRing, type Sealed } from '../../shared/crypto/envelope';
import { maskSecret, newSigningSecret } from '../../shared/crypto/signing-secrets';
import { assistantsRepository } from '../../shared/db/assistants';
import { toolsRepository } from '../../shared/db/tools';
import { createTool, secretContext, type ToolCreationDeps } from '../../shared/domain/tools';
import { vapiAdapter } from '../../shared/providers/vapi/adapter';
import { KMSClient } from '@aws-sdk/client-kms';
import { LOCAL_SIGNING_KEY_ALIAS } from '../../shared/config/signing-key';
import { expectUnchanged, settle } from '../support/state';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { newUser, rowOf, rowsOf } from '../support/users';

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- emulator JSON

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const vapiAssistant = async (id: string): Promise<Row> => (await stack.inspect<{ assistants: Row[] }>('vapi')).assistants.find((a) => a.id === id)!;
const toolsAt = async (assistantId: string): Promise<Row[]> => (await vapiAssistant(assistantId)).model?.tools ?? [];

/** A customer with an assistant. */
async function customer() {
  const u = await newUser(stack, { prefix: 'tools', assistant: { greeting: 'Guten Tag', language: 'de' } });
  const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: u.token, body });
  return { ...u, assistantId: u.assistantId!, call, create: (body: unknown) => call('POST', '/v1/me/tools', body) };
}

const CALENDAR = {
  name: 'check_calendar',
  description: 'Finds free appointment slots on a given day.',
  parameters: { type: 'object', properties: { date: { type: 'string', format: 'date', description: 'The day asked about.' } }, required: ['date'] },
  url: 'https://93.184.215.14/fonella/free-slots',
  timeoutSeconds: 4,
  messages: { start: { de: 'Einen Moment, ich schaue in den Kalender.', en: 'One moment, I am checking the calendar.' }, failed: { de: 'Der Kalender ist gerade nicht erreichbar.' } },
};

describe('POST /v1/me/tools', () => {
  it('takes a developer API key with the tools:manage scope: the tool is attached as with the portal token; a calls:read key is 403', async () => {
    const c = await customer();
    const key = async (scopes: string[]) => (await c.call('POST', '/v1/me/api-keys', { name: `Tools ${scopes.join(' ')}`, scopes })).body.token as string;
    const manage = await key(['tools:manage']);
    const res = await stack.call('POST', '/v1/me/tools', { token: manage, body: CALENDAR });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await toolsAt(c.assistantId)).map((t) => t.function.name)).toEqual(['check_calendar']);
    expect((await stack.call('GET', `/v1/me/tools/${res.body.id}`, { token: manage })).status).toBe(200);

    const read = await key(['calls:read']);
    const refused = await stack.call('POST', '/v1/me/tools', { token: read, body: { ...CALENDAR, name: 'other_tool' } });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('urn:fonella:problem:insufficient-scope');
    expect((await toolsAt(c.assistantId)).map((t) => t.function.name)).toEqual(['check_calendar']);
  });

  it('creates the tool attached to the assistant in Vapi: its server our webhook with the secret header, never the URL', async () => {
    const c = await customer();
    const res = await c.create(CALENDAR);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ name: 'check_calendar', url: CALENDAR.url, timeoutSeconds: 4, parameters: CALENDAR.parameters, messages: CALENDAR.messages });
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    expect(res.body.secretHint).toBe(maskSecret(res.body.secret));

    const [tool] = await toolsAt(c.assistantId);
    expect(tool).toEqual({
      type: 'function',
      async: false,
      function: { name: 'check_calendar', description: CALENDAR.description, parameters: CALENDAR.parameters },
      server: { url: `${stack.apiUrl}/v1/webhooks/vapi`, headers: { 'X-Vapi-Secret': webhookConfig().vapiSecret }, timeoutSeconds: 4 + 3 },
      messages: [
        { type: 'request-start', contents: [{ type: 'text', language: 'de', text: CALENDAR.messages.start.de }, { type: 'text', language: 'en', text: CALENDAR.messages.start.en }] },
        { type: 'request-failed', contents: [{ type: 'text', language: 'de', text: CALENDAR.messages.failed.de }] },
      ],
    });
    expect(JSON.stringify(await vapiAssistant(c.assistantId))).not.toContain('93.184.215.14');
    // The prompt stays: the model is sent whole.
    expect((await vapiAssistant(c.assistantId)).model.messages).toEqual([{ role: 'system', content: assistantConfig().prompts.de }]);

    const assistantRow = await rowOf(stack, c.sub, 'ASSISTANT');
    expect(assistantRow).toMatchObject({ tools: [{ id: res.body.id, name: 'check_calendar' }], toolsVersion: 1 });
    expect(assistantRow!.changeClaimId).toBeUndefined();
    const [row] = await rowsOf(stack, c.sub, 'TOOL#');
    // The secret is sealed: nothing of it in clear, and it opens under its own context only.
    expect(JSON.stringify(row)).not.toContain(res.body.secret.slice(6));
    const ring = kmsKeyRing(new KMSClient({ region: 'eu-central-1', endpoint: stack.emulators.kms, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), LOCAL_SIGNING_KEY_ALIAS);
    await expect(ring.open(row!.secret as Sealed, secretContext(c.sub, res.body.id))).resolves.toEqual({ secret: res.body.secret });
    await expect(ring.open(row!.secret as Sealed, secretContext('auth0|someone-else', res.body.id))).rejects.toThrow();

    // Reads show the secret masked only.
    const one = await c.call('GET', `/v1/me/tools/${res.body.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(Object.fromEntries(Object.entries(res.body).filter(([k]) => k !== 'secret')));
    const list = await c.call('GET', '/v1/me/tools');
    expect(list.body.items).toEqual([one.body]);
  });

  it('defaults: no parameters is a function without arguments, the stage\'s timeout, no messages', async () => {
    const c = await customer();
    const res = await c.create({ name: 'ping', description: 'Checks the shop is open.', url: 'https://93.184.215.14/ping' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ parameters: { type: 'object', properties: {} }, timeoutSeconds: toolConfig().timeoutSeconds.default, messages: {} });
    const [tool] = await toolsAt(c.assistantId);
    expect(tool!.messages).toBeUndefined();
    expect(tool!.function.parameters).toEqual({ type: 'object', properties: {} });
  });

  it.each([
    ['a name the model cannot call', { name: 'check calendar' }, 'body.name'],
    ['a name over 64 characters', { name: 'x'.repeat(65) }, 'body.name'],
    ['no description', { description: undefined }, 'body.description'],
    ['parameters that are not an object schema', { parameters: { type: 'string' } }, 'body.parameters.type'],
    ['a keyword outside the subset', { parameters: { type: 'object', properties: { n: { type: 'integer', minimum: 1 } } } }, 'body.parameters.properties.n.minimum'],
    ['an array without items', { parameters: { type: 'object', properties: { days: { type: 'array' } } } }, 'body.parameters.properties.days.items'],
    ['required naming no property', { parameters: { type: 'object', properties: {}, required: ['date'] } }, 'body.parameters.required'],
    ['an unknown format', { parameters: { type: 'object', properties: { d: { type: 'string', format: 'weekday' } } } }, 'body.parameters.properties.d.format'],
    ['a pattern that is no regular expression', { parameters: { type: 'object', properties: { d: { type: 'string', pattern: '([' } } } }, 'body.parameters.properties.d.pattern'],
    ['nesting deeper than five levels', { parameters: nested(5) }, 'body.parameters.properties.a.properties.a.properties.a.properties.a.properties.a'],
    ['parameters over 8 KB', { parameters: { type: 'object', properties: { a: { type: 'string', description: 'x'.repeat(1000) }, ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`p${i}`, { type: 'string', description: 'y'.repeat(1000) }])) } } }, 'body.parameters'],
    ['a timeout over the bound', { timeoutSeconds: 21 }, 'body.timeoutSeconds'],
    ['a timeout of 0', { timeoutSeconds: 0 }, 'body.timeoutSeconds'],
    ['a message in a language the assistant does not speak', { messages: { start: { fr: 'Un instant.' } } }, 'body.messages.start.fr'],
    ['an unknown field', { secret: 'whsec_mine' }, 'body.secret'],
  ])('%s → 400 naming the field, nothing written or sent', async (_what, change, path) => {
    const c = await customer();
    const before = await settle(stack);
    const res = await c.create({ ...CALENDAR, ...change });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.type).toBe('urn:fonella:problem:validation');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    await expectUnchanged(stack, before, 'invalid tool');
  });

  it.each([
    ['http', 'http://tools.example.net/hook', 'must use https'],
    ['a user name in it', 'https://me:pw@93.184.215.14/hook', 'must not carry a user name or password'],
    ['a private address', 'https://10.1.2.3/hook', 'private'],
    ['the metadata service', 'https://169.254.169.254/latest/meta-data', 'link-local'],
    ['a loopback address over https', 'https://127.0.0.1:4443/hook', 'loopback'],
    ['a loopback name', 'https://localhost/hook', 'loopback'],
    ['an internal name', 'https://calendar.internal/hook', 'internal'],
    ['a shared (CGNAT) address', 'https://100.64.0.9/hook', 'shared'],
    ['a reserved name', 'https://nothing-here.invalid/hook', 'internal'],
    ['a name that does not resolve', 'https://tools.fonella-no-such-name-4f1c.com/hook', 'does not resolve'],
  ])('a URL with %s → 400 tool-url-refused naming body.url, nothing written or sent', async (_what, url, reason) => {
    const c = await customer();
    const before = await settle(stack);
    const res = await c.create({ ...CALENDAR, url });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:fonella:problem:tool-url-refused');
    expect(res.body.errors).toEqual([{ path: 'body.url', message: expect.stringContaining(reason) }]);
    await expectUnchanged(stack, before, 'refused URL');
  });

  it('a name another tool has → 409 tool-name-taken; the same name in another account is fine', async () => {
    const c = await customer();
    expect((await c.create(CALENDAR)).status).toBe(201);
    const before = await settle(stack);
    const again = await c.create({ ...CALENDAR, description: 'Another one.' });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:fonella:problem:tool-name-taken');
    await expectUnchanged(stack, before, 'name taken');
    expect((await (await customer()).create(CALENDAR)).status).toBe(201);
  });

  it('without an assistant → 409 assistant-missing, nothing written or sent', async () => {
    const u = await newUser(stack, { prefix: 'tools-none' });
    const before = await settle(stack);
    const res = await stack.call('POST', '/v1/me/tools', { token: u.token, body: CALENDAR });
    expect(res.status).toBe(409);
    expect(res.body.type).toBe('urn:fonella:problem:assistant-missing');
    await expectUnchanged(stack, before, 'no assistant');
  });

  it(`the limit per account (${toolConfig().perUser}) → 409 quota-tools, the tools kept as they were`, async () => {
    const c = await customer();
    const limit = toolConfig().perUser;
    for (let i = 0; i < limit; i++) expect((await c.create({ ...CALENDAR, name: `tool_${i}` })).status).toBe(201);
    const before = await settle(stack);
    const over = await c.create({ ...CALENDAR, name: 'one_too_many' });
    expect(over.status).toBe(409);
    expect(over.body.type).toBe('urn:fonella:problem:quota-tools');
    await expectUnchanged(stack, before, 'over the limit');
    expect(await toolsAt(c.assistantId)).toHaveLength(limit);
    expect((await c.call('GET', '/v1/me/tools')).body.items.map((t: Row) => t.name)).toEqual(Array.from({ length: limit }, (_, i) => `tool_${i}`));
  });

  it('a Vapi failure → 502: no tool row, no tool at Vapi, the claim given back (the next create works)', async () => {
    const c = await customer();
    expect((await c.create({ ...CALENDAR, name: 'first' })).status).toBe(201);
    // Vapi's 503 on the change and on both of its retries.
    await stack.fault('vapi', { mode: 'error', count: 3, match: `/assistant/${c.assistantId}` });
    const res = await c.create(CALENDAR);
    expect(res.status).toBe(502);
    expect(res.body.type).toBe('urn:fonella:problem:provider-unavailable');
    expect((await toolsAt(c.assistantId)).map((t) => t.function.name)).toEqual(['first']);
    expect((await rowsOf(stack, c.sub, 'TOOL#')).map((r) => r.name)).toEqual(['first']);
    expect(await rowOf(stack, c.sub, 'ASSISTANT')).toMatchObject({ tools: [{ name: 'first' }], toolsVersion: 1 });
    expect((await rowOf(stack, c.sub, 'ASSISTANT'))!.changeClaimId).toBeUndefined();
    expect((await c.create(CALENDAR)).status).toBe(201);
    expect((await toolsAt(c.assistantId)).map((t) => t.function.name)).toEqual(['first', 'check_calendar']);
  });

  it("a stage with tighter timeout bounds refuses a timeout outside them (400 naming body.timeoutSeconds), and calls no one", async () => {
    const c = await customer();
    const deps = directDeps({ config: { ...toolConfig(), timeoutSeconds: { min: 2, max: 10, default: 4 } } });
    const before = await settle(stack);
    for (const timeoutSeconds of [1, 11]) {
      await expect(createTool(deps, c.sub, { ...CALENDAR, timeoutSeconds })).rejects.toMatchObject({ status: 400, errors: [{ path: 'body.timeoutSeconds', message: 'Must be from 2 to 10 seconds.' }] });
    }
    await expectUnchanged(stack, before, 'timeout outside the stage bounds');
    await expect(createTool(deps, c.sub, { ...CALENDAR, timeoutSeconds: undefined })).resolves.toMatchObject({ timeoutSeconds: 4 });
  });

  it('a table failure after Vapi took the tool: Vapi gets the list before it back, the claim is given back', async () => {
    const c = await customer();
    const real = toolsRepository(stack.table);
    const deps = directDeps({ tools: { ...real, commit: async () => Promise.reject(Object.assign(new Error('table unavailable'), { name: 'TableUnavailableError' })) } });
    const vapiRequests = async () => ((await (await fetch(`${stack.emulators.vapi}/_stats`)).json()) as { byPath: Record<string, number> }).byPath[`PATCH /assistant/${c.assistantId}`] ?? 0;
    const patchesBefore = await vapiRequests();
    await expect(createTool(deps, c.sub, CALENDAR)).rejects.toThrow('table unavailable');
    // Attached, then detached again: two changes at Vapi, none left.
    expect((await vapiRequests()) - patchesBefore).toBe(2);
    expect(await toolsAt(c.assistantId)).toEqual([]);
    expect(await rowsOf(stack, c.sub, 'TOOL#')).toEqual([]);
    expect((await rowOf(stack, c.sub, 'ASSISTANT'))!.changeClaimId).toBeUndefined();
    expect((await c.create(CALENDAR)).status).toBe(201);
  });

  it('two creations at once for one assistant: each attached or answered 409 assistant-busy, never one lost at Vapi', async () => {
    const c = await customer();
    const answers = await Promise.all(['a', 'b', 'c'].map((n) => c.create({ ...CALENDAR, name: `tool_${n}` })));
    for (const a of answers) expect([201, 409]).toContain(a.status);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.type).toBe('urn:fonella:problem:assistant-busy');
    const created = answers.filter((a) => a.status === 201).map((a) => a.body.name).sort();
    expect(created.length).toBeGreaterThan(0);
    expect((await toolsAt(c.assistantId)).map((t) => t.function.name).sort()).toEqual(created);
    expect((await rowsOf(stack, c.sub, 'TOOL#')).map((r) => r.name).sort()).toEqual(created);
  });
});

describe('PUT and DELETE /v1/me/tools/{toolId}', () => {
  it('PUT replaces every field at Vapi and in the row; the id and the secret stay', async () => {
    const c = await customer();
    const created = await c.create(CALENDAR);
    const [stored] = await rowsOf(stack, c.sub, 'TOOL#');
    const res = await c.call('PUT', `/v1/me/tools/${created.body.id}`, { name: 'find_slot', description: 'Finds a free slot.', url: 'https://93.184.215.15/slots', timeoutSeconds: 2 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: created.body.id, name: 'find_slot', url: 'https://93.184.215.15/slots', timeoutSeconds: 2, messages: {}, secretHint: created.body.secretHint, createdAt: created.body.createdAt });
    const [tool] = await toolsAt(c.assistantId);
    expect(tool).toMatchObject({ function: { name: 'find_slot', description: 'Finds a free slot.' }, server: { timeoutSeconds: 5 } });
    expect(tool!.messages).toBeUndefined();
    const [row] = await rowsOf(stack, c.sub, 'TOOL#');
    expect(row).toMatchObject({ name: 'find_slot', gsi1sk: 'TOOL#find_slot', secret: stored!.secret, secretHint: stored!.secretHint });
    expect(await rowOf(stack, c.sub, 'ASSISTANT')).toMatchObject({ tools: [{ id: created.body.id, name: 'find_slot' }], toolsVersion: 2 });
  });

  it('PUT to a name another tool has → 409; an unknown id → 404; another account\'s tool → 404, untouched', async () => {
    const c = await customer();
    const a = await c.create({ ...CALENDAR, name: 'a' });
    await c.create({ ...CALENDAR, name: 'b' });
    const other = await customer();
    const before = await settle(stack);
    expect((await c.call('PUT', `/v1/me/tools/${a.body.id}`, { ...CALENDAR, name: 'b' })).status).toBe(409);
    expect((await c.call('PUT', '/v1/me/tools/00000000-0000-4000-8000-000000000000', CALENDAR)).status).toBe(404);
    for (const [method, body] of [['GET'], ['PUT', CALENDAR], ['DELETE']] as const) {
      const res = await other.call(method, `/v1/me/tools/${a.body.id}`, body);
      expect(res.status, method).toBe(404);
      expect(res.body.type).toBe('urn:fonella:problem:not-found');
    }
    await expectUnchanged(stack, before, 'refused changes');
  });

  it('DELETE detaches the tool at Vapi and deletes its row; a Vapi failure leaves it attached', async () => {
    const c = await customer();
    const keep = await c.create({ ...CALENDAR, name: 'keep' });
    const gone = await c.create({ ...CALENDAR, name: 'gone' });
    // Vapi's 503 on the change and on both of its retries.
    await stack.fault('vapi', { mode: 'error', count: 3, match: `/assistant/${c.assistantId}` });
    expect((await c.call('DELETE', `/v1/me/tools/${gone.body.id}`)).status).toBe(502);
    expect((await toolsAt(c.assistantId)).map((t) => t.function.name)).toEqual(['keep', 'gone']);
    expect((await rowsOf(stack, c.sub, 'TOOL#')).map((r) => r.name).sort()).toEqual(['gone', 'keep']);

    expect((await c.call('DELETE', `/v1/me/tools/${gone.body.id}`)).status).toBe(204);
    expect((await toolsAt(c.assistantId)).map((t) => t.function.name)).toEqual(['keep']);
    expect((await rowsOf(stack, c.sub, 'TOOL#')).map((r) => r.toolId)).toEqual([keep.body.id]);
    expect((await c.call('GET', `/v1/me/tools/${gone.body.id}`)).status).toBe(404);
    expect((await c.call('DELETE', `/v1/me/tools/${keep.body.id}`)).status).toBe(204);
    expect(await toolsAt(c.assistantId)).toEqual([]);
    expect(await rowOf(stack, c.sub, 'ASSISTANT')).toMatchObject({ tools: [], toolsVersion: 4 });
  });
});

describe('the assistant and its tools', () => {
  it('PUT /v1/me/assistant keeps the tools at Vapi, with the new language\'s prompt', async () => {
    const c = await customer();
    await c.create(CALENDAR);
    const res = await c.call('PUT', '/v1/me/assistant', { greeting: 'Hello', language: 'en' });
    expect(res.status).toBe(200);
    const assistant = await vapiAssistant(c.assistantId);
    expect(assistant.firstMessage).toBe('Hello');
    expect(assistant.model.messages).toEqual([{ role: 'system', content: assistantConfig().prompts.en }]);
    expect(assistant.model.tools.map((t: Row) => t.function.name)).toEqual(['check_calendar']);
    expect((await rowOf(stack, c.sub, 'ASSISTANT'))!.changeClaimId).toBeUndefined();
  });

  it('deleting the account removes the tools with the assistant', async () => {
    const c = await customer();
    // Known to Auth0, as a signed-up customer is: the teardown deletes the login too.
    await fetch(`${stack.emulators.auth0}/_users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: c.sub, email: c.email }) });
    expect((await c.create(CALENDAR)).status).toBe(201);
    expect((await c.call('DELETE', '/v1/me')).status).toBe(202);
    await waitFor('the teardown', async () => (await rowsOf(stack, c.sub)).every((r) => r.sk === 'TEARDOWN'), 15_000);
    expect(await vapiAssistant(c.assistantId)).toBeUndefined();
    expect(await rowsOf(stack, c.sub, 'TOOL#')).toEqual([]);
  });
});

/** The tool routes' use cases as the handlers compose them, with the real adapters on this stack, and `over` in place. */
function directDeps(over: Partial<ToolCreationDeps> = {}): ToolCreationDeps {
  return {
    assistants: assistantsRepository(stack.table),
    tools: toolsRepository(stack.table),
    vapi: vapiAdapter({ apiKey: stack.credentials.vapi!.apiKey!, baseUrl: stack.emulators.vapi! }),
    keys: kmsKeyRing(new KMSClient({ region: 'eu-central-1', endpoint: stack.emulators.kms, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), LOCAL_SIGNING_KEY_ALIAS),
    newSecret: newSigningSecret,
    maskSecret,
    urlRefusal: async () => undefined,
    config: toolConfig(),
    prompts: assistantConfig().prompts,
    server: { url: `${stack.apiUrl}/v1/webhooks/vapi`, secret: webhookConfig().vapiSecret },
    ...over,
  };
}

function nested(levels: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let i = 1; i < levels; i++) schema = { type: 'object', properties: { a: schema } };
  return { type: 'object', properties: { a: schema } };
}
