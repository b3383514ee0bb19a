// PUT /v1/me/assistant through the local API: the assistant in the Vapi emulator, its row and lookup
// key, updates, failures on either side that leave nothing behind, and the pool number it gets.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GREETINGS, assistantConfig } from '../../shared/config/assistant';
import { plansConfig } from '../../shared/config/plans';
import { webhookConfig } from '../../shared/config/webhooks';
import { assistantsRepository } from '../../shared/db/assistants';
import { toolsRepository } from '../../shared/db/tools';
import { poolAssignments } from '../../shared/db/pool';
import { usersRepository } from '../../shared/db/users';
import { putAssistant } from '../../shared/domain/assistant';
import { TableUnavailableError } from '../../shared/errors';
import { vapiAdapter } from '../../shared/providers/vapi/adapter';
import { expectUnchanged, settle } from '../support/state';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { addFreePoolNumber } from '../support/rows';
import { answerLost } from '../support/late-answer';
import { newUser, partition, rowOf, rowsOf, type PlanId } from '../support/users';

type Row = Record<string, unknown> & { id: string };
interface VapiState {
  assistants: Row[];
  phoneNumbers: Row[];
  credentials: Row[];
}

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const vapi = () => stack.inspect<VapiState>('vapi');
/** The customer's own assistants in the emulator (not the test callback's seeded ones). */
const customerAssistants = async () => (await vapi()).assistants.filter((a) => (a.metadata as Record<string, unknown> | undefined)?.fonellaUserId);

/** A user with a token; `plan` writes an active subscription for them first. */
async function user(opts: { plan?: PlanId; name?: string } = {}) {
  const { sub, token } = await newUser(stack, { prefix: 'assistant', ...opts });
  return { sub, token, put: (body: unknown) => stack.call('PUT', '/v1/me/assistant', { token, body }) };
}

/** Free pool numbers, written as an import would (a fixture: the assignment under test reads them). */
async function addFreeNumbers(count: number): Promise<string[]> {
  const numbers: string[] = [];
  for (let i = 0; i < count; i++) numbers.push(await addFreePoolNumber(stack));
  return numbers;
}

/** The use case's ports as the route composes them, with the assistants repository given (a fault in one step). */
const depsWith = (assistants: ReturnType<typeof assistantsRepository>) => ({
  users: usersRepository(stack.table),
  assistants,
  pool: poolAssignments(stack.table),
  vapi: vapiAdapter({ apiKey: stack.credentials.vapi!.apiKey!, baseUrl: stack.emulators.vapi! }),
  speech: assistantConfig().speech,
  prompts: assistantConfig().prompts,
  server: { url: `${stack.apiUrl}/v1/webhooks/vapi`, secret: webhookConfig().vapiSecret },
  tools: toolsRepository(stack.table),
  toolTimeoutMaxSeconds: 15,
  plans: plansConfig().plans,
});

describe('PUT /v1/me/assistant: create', () => {
  it('creates the Vapi assistant with the greeting, the language\'s speech settings, our webhook and secret, and the user id', async () => {
    const u = await user({ name: 'Bäckerei Sonnenschein' });
    const res = await u.put({ greeting: 'Bäckerei Sonnenschein, guten Tag!', language: 'de' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ greeting: 'Bäckerei Sonnenschein, guten Tag!', language: 'de', phoneNumber: null });

    const created = (await vapi()).assistants.find((a) => a.id === res.body.assistantId);
    const speech = assistantConfig().speech.de;
    expect(created).toMatchObject({
      name: 'Fonella: Bäckerei Sonnenschein',
      firstMessage: 'Bäckerei Sonnenschein, guten Tag!',
      transcriber: speech.transcriber,
      voice: speech.voice,
      model: { messages: [{ role: 'system', content: assistantConfig().prompts.de }] },
      server: { url: `${stack.apiUrl}/v1/webhooks/vapi`, headers: { 'X-Vapi-Secret': webhookConfig().vapiSecret } },
      metadata: { fonellaUserId: u.sub },
    });
    expect(stack.credentials.vapi!.webhookSecret).toBe(webhookConfig().vapiSecret);

    const row = await rowOf(stack, u.sub, 'ASSISTANT');
    expect(row).toMatchObject({
      status: 'ready',
      assistantId: res.body.assistantId,
      gsi1pk: `ASSISTANT#${res.body.assistantId}`,
      greeting: 'Bäckerei Sonnenschein, guten Tag!',
      language: 'de',
    });
    const me = await stack.call('GET', '/v1/me', { token: u.token });
    expect(me.body.assistant).toEqual(res.body);
  });

  it("the seed's optional fields: a first PUT with only a greeting takes the email language, one with only a language its default greeting; a later PUT keeps what it leaves out", async () => {
    const english = await newUser(stack, { prefix: 'assistant', settings: { locale: 'en' } });
    const onlyGreeting = await stack.call('PUT', '/v1/me/assistant', { token: english.token, body: { greeting: 'Plumbing Smith, hello!' } });
    expect(onlyGreeting.status, JSON.stringify(onlyGreeting.body)).toBe(200);
    expect(onlyGreeting.body).toMatchObject({ greeting: 'Plumbing Smith, hello!', language: 'en' });

    const u = await user();
    const onlyLanguage = await u.put({ language: 'tr' });
    expect(onlyLanguage.status, JSON.stringify(onlyLanguage.body)).toBe(200);
    expect(onlyLanguage.body).toMatchObject({ language: 'tr', greeting: DEFAULT_GREETINGS.tr });
    const inVapi = (await customerAssistants()).find((a) => a.id === onlyLanguage.body.assistantId)!;
    expect(inVapi.firstMessage).toBe(DEFAULT_GREETINGS.tr);

    const greetingLater = await u.put({ greeting: 'Merhaba!' });
    expect(greetingLater.body).toMatchObject({ assistantId: onlyLanguage.body.assistantId, greeting: 'Merhaba!', language: 'tr' });
    const languageLater = await u.put({ language: 'de' });
    expect(languageLater.body).toMatchObject({ assistantId: onlyLanguage.body.assistantId, greeting: 'Merhaba!', language: 'de' });
    expect((await customerAssistants()).filter((a) => (a.metadata as Record<string, unknown>).fonellaUserId === u.sub)).toHaveLength(1);
  });

  it('a later call updates the same assistant in Vapi and in the row', async () => {
    const u = await user();
    const first = await u.put({ greeting: 'Guten Tag!', language: 'de' });
    const second = await u.put({ greeting: 'Hello, how can I help?', language: 'en' });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ assistantId: first.body.assistantId, greeting: 'Hello, how can I help?', language: 'en', createdAt: first.body.createdAt });
    expect(Date.parse(second.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.body.updatedAt));

    const mine = (await customerAssistants()).filter((a) => (a.metadata as Record<string, unknown>).fonellaUserId === u.sub);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ firstMessage: 'Hello, how can I help?', transcriber: assistantConfig().speech.en.transcriber, voice: assistantConfig().speech.en.voice });
    expect(await rowOf(stack, u.sub, 'ASSISTANT')).toMatchObject({ greeting: 'Hello, how can I help?', language: 'en' });
  });

  it.each([
    ['an unknown language', { greeting: 'Hallo', language: 'fr' }, 'language'],
    ['a blank greeting', { greeting: '   ', language: 'de' }, 'greeting'],
    ['a greeting over 500 characters', { greeting: 'x'.repeat(501), language: 'de' }, 'greeting'],
    ['a control character in the greeting', { greeting: 'Hallo\u0007', language: 'de' }, 'greeting'],
    ['an unknown field', { greeting: 'Hallo', language: 'de', voice: 'x' }, ''],
    ['a user id in the body', { greeting: 'Hallo', language: 'de', userId: 'auth0|someone-else' }, ''],
  ])('%s → 400, and nothing is created', async (_label, body, field) => {
    const u = await user({ plan: 'business' });
    const before = await settle(stack);
    const res = await u.put(body);
    expect(res.status).toBe(400);
    if (field) expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(`body.${field}`);
    await expectUnchanged(stack, before, 'invalid assistant');
  });

  it('a Vapi failure on create → 502, no row and no assistant; the next call creates it', async () => {
    const u = await user();
    const before = await settle(stack);
    await stack.fault('vapi', { mode: 'error', count: 1, match: '/assistant' });
    const res = await u.put({ greeting: 'Hallo', language: 'de' });
    expect(res.status).toBe(502);
    await expectUnchanged(stack, before, 'Vapi failure');

    const retry = await u.put({ greeting: 'Hallo', language: 'de' });
    expect(retry.status).toBe(200);
    expect((await customerAssistants()).filter((a) => (a.metadata as Record<string, unknown>).fonellaUserId === u.sub)).toHaveLength(1);
  });

  /**
   * A first PUT with these ports fails as `failure` says and leaves nothing: no assistant at Vapi, no
   * row; the claim is free again, so the route creates the assistant now.
   */
  async function expectNothingLeft(u: Awaited<ReturnType<typeof user>>, deps: ReturnType<typeof depsWith>, failure: string | (new (...args: never[]) => Error)) {
    const assistantsBefore = (await vapi()).assistants.length;
    const rejected = expect(putAssistant(deps, { id: u.sub }, { greeting: 'Hallo', language: 'de' })).rejects;
    await (typeof failure === 'string' ? rejected.toThrow(failure) : rejected.toBeInstanceOf(failure));
    expect((await vapi()).assistants).toHaveLength(assistantsBefore);
    expect(await rowsOf(stack, u.sub)).toEqual([]);
    expect((await u.put({ greeting: 'Hallo', language: 'de' })).status).toBe(200);
  }

  it('a table failure after Vapi created the assistant deletes it again and gives the claim back', async () => {
    const u = await user();
    const real = assistantsRepository(stack.table);
    // The row write after Vapi's create fails, as a throttled or unreachable table would.
    const deps = depsWith({ ...real, complete: async () => Promise.reject(Object.assign(new Error('table unavailable'), { name: 'TableUnavailableError' })) });
    await expectNothingLeft(u, deps, 'table unavailable');
  });

  it('a claim written but answered too late (503) is given back: the retry creates the assistant', async () => {
    const u = await user();
    const real = assistantsRepository(stack.table);
    // The claim reaches the table, and its answer is lost: the table client says unavailable.
    const deps = depsWith(answerLost(real, 'claim', 'TransactWriteItemsCommand'));
    await expectNothingLeft(u, deps, TableUnavailableError);
  });

  it('a completion written but answered too late keeps the assistant: the PUT answers it, the row and Vapi agree', async () => {
    const u = await user();
    const real = assistantsRepository(stack.table);
    // The ready row reaches the table, and its answer is lost: the table client says unavailable.
    const deps = depsWith(answerLost(real, 'complete', 'TransactWriteItemsCommand'));
    const view = await putAssistant(deps, { id: u.sub }, { greeting: 'Hallo', language: 'de' });
    expect(await rowOf(stack, u.sub, 'ASSISTANT')).toMatchObject({ status: 'ready', assistantId: view.assistantId });
    expect((await customerAssistants()).filter((a) => (a.metadata as Record<string, unknown>).fonellaUserId === u.sub).map((a) => a.id)).toEqual([view.assistantId]);
  });

  it('two first calls at once create one assistant; the other call gets it too or 409', async () => {
    const u = await user();
    const answers = await Promise.all([0, 1, 2].map(() => u.put({ greeting: 'Hallo', language: 'de' })));
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(a.status).toBe(409);
      expect(a.body.type).toBe('urn:fonella:problem:assistant-being-created');
    }
    expect(new Set(ok.map((a) => a.body.assistantId)).size).toBe(1);
    expect((await customerAssistants()).filter((a) => (a.metadata as Record<string, unknown>).fonellaUserId === u.sub)).toHaveLength(1);
  });

  it("another user's token reaches only their own assistant", async () => {
    const a = await user();
    const b = await user();
    const mine = await a.put({ greeting: 'Hallo A', language: 'de' });
    const rowBefore = JSON.stringify(await rowsOf(stack, a.sub));
    const theirs = await b.put({ greeting: 'Hallo B', language: 'en' });
    expect(theirs.body.assistantId).not.toBe(mine.body.assistantId);
    expect(JSON.stringify(await rowsOf(stack, a.sub))).toBe(rowBefore);
    expect((await stack.call('GET', '/v1/me', { token: b.token })).body.assistant.assistantId).toBe(theirs.body.assistantId);
  });
});

describe('PUT /v1/me/assistant: the pool number', () => {
  it('a plan with a number: a free one is assigned, bound in Vapi on the shared trunk credential and attached to the assistant', async () => {
    await addFreeNumbers(1);
    const u = await user({ plan: 'business' });
    const res = await u.put({ greeting: 'Hallo', language: 'de' });
    expect(res.status).toBe(200);
    expect(res.body.phoneNumber).toMatchObject({ status: 'connecting', number: expect.stringMatching(/^\+49/) });
    const number = res.body.phoneNumber.number as string;

    const bound = await waitFor('the number bound in Vapi', async () => (await vapi()).phoneNumbers.find((p) => p.number === number));
    expect(bound).toMatchObject({ provider: 'byo-phone-number', credentialId: assistantConfig().poolCredentialId, assistantId: res.body.assistantId });
    await stack.streams.idle();
    const me = await stack.call('GET', '/v1/me', { token: u.token });
    expect(me.body.assistant.phoneNumber).toEqual({ status: 'active', number });
    expect(me.body.integrations).toEqual([{ kind: 'pool', number, state: 'active', createdAt: expect.any(String) }]);

    const [poolRow] = await partition(stack, `POOL#${number}`);
    expect(poolRow).toMatchObject({ status: 'assigned', userId: u.sub, gsi2sk: `assigned#${number}` });
    // An update keeps the number: no second line, no second Vapi number.
    await u.put({ greeting: 'Hallo wieder', language: 'de' });
    await stack.streams.idle();
    expect((await vapi()).phoneNumbers.filter((p) => p.number === number)).toHaveLength(1);
    expect(await rowsOf(stack, u.sub, 'INTEGRATION#')).toHaveLength(1);
  });

  it('no plan: no number is assigned and none is pending', async () => {
    await addFreeNumbers(1);
    const u = await user();
    const res = await u.put({ greeting: 'Hallo', language: 'de' });
    expect(res.body.phoneNumber).toBeNull();
    expect((await rowsOf(stack, u.sub)).map((r) => r.sk)).toEqual(['ASSISTANT']);
  });

  it('a plan without a number (Starter in the local catalogue): none is assigned, none is waited for', async () => {
    await addFreeNumbers(1);
    const u = await user({ plan: 'starter' });
    const res = await u.put({ greeting: 'Hallo', language: 'de' });
    expect(res.body.phoneNumber).toBeNull();
    await stack.streams.idle();
    expect((await rowsOf(stack, u.sub)).map((r) => r.sk).sort()).toEqual(['ASSISTANT', 'SUBSCRIPTION']);
  });
});
