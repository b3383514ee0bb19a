// The real Vapi adapter (SDK + fetch) against the Vapi emulator over HTTP: every port method, what
// the emulator holds afterwards, and how provider failures surface as our typed errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { createVapiEmulator } from '../../lib/local/emulators/vapi';
import { vapiAdapter } from '../../shared/providers/vapi/adapter';
import type { AssistantSpec, VoiceAssistants } from '../../shared/providers/vapi/port';
import { ProviderNotFoundError, ProviderRejectedError, ProviderUnavailableError } from '../../shared/errors';
import { assistantConfig } from '../../shared/config/assistant';
import { useEmulator } from '../support/emulator';

type Row = Record<string, unknown> & { id: string };
interface State {
  assistants: Row[];
  phoneNumbers: Row[];
  credentials: Row[];
  calls: Row[];
}

const emulatorDef = createVapiEmulator();
const apiKey = emulatorDef.credentials.apiKey!;
const emulator = useEmulator(emulatorDef);
let vapi: VoiceAssistants;

const spec: AssistantSpec = {
  userId: 'usr_123',
  name: 'Bäckerei Sonnenschein Telefonassistentin mit langem Namen',
  greeting: 'Guten Tag, Bäckerei Sonnenschein, wie kann ich helfen?',
  speech: assistantConfig().speech.de,
  systemPrompt: 'Du bist die freundliche Telefonassistenz der Bäckerei.',
  server: { url: 'https://api.fonella.test/v1/webhooks/vapi', secret: 'whsec-0123456789' },
};

const state = () => emulator.inspect<State>();
const fault = emulator.fault;
const trunk = () =>
  vapi.createSipTrunk({
    name: 'fonella-trunk',
    gateways: [{ ip: '203.0.113.10', port: 5060, inboundEnabled: true }],
    auth: { username: 'fonella-out', password: 'sip-pass-s3cret' },
  });

beforeAll(() => {
  vapi = vapiAdapter({ apiKey, baseUrl: emulator.baseUrl });
});

describe('assistants', () => {
  it('creates an assistant carrying our webhook secret, user id, language and prompt', async () => {
    const { id } = await vapi.createAssistant(spec);
    const [a] = (await state()).assistants;
    expect(a).toMatchObject({
      id,
      name: spec.name.slice(0, 40),
      firstMessage: spec.greeting,
      metadata: { fonellaUserId: 'usr_123' },
      transcriber: { provider: 'azure', language: 'de-DE' },
      voice: { provider: 'azure', voiceId: 'de-DE-KatjaNeural' },
      model: { provider: 'openai', messages: [{ role: 'system', content: spec.systemPrompt }] },
      server: { url: spec.server.url, headers: { 'X-Vapi-Secret': 'whsec-0123456789' }, timeoutSeconds: 20 },
    });
    expect(a!.serverMessages).toContain('end-of-call-report');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('updates only what changed', async () => {
    const { id } = await vapi.createAssistant(spec);
    await vapi.updateAssistant(id, { speech: assistantConfig().speech.tr, greeting: 'Merhaba!' });
    const [a] = (await state()).assistants;
    expect(a).toMatchObject({
      firstMessage: 'Merhaba!',
      transcriber: { language: 'tr-TR' },
      voice: { voiceId: 'tr-TR-EmelNeural' },
      metadata: { fonellaUserId: 'usr_123' },
      server: { headers: { 'X-Vapi-Secret': 'whsec-0123456789' } },
    });
    expect(a!.name).toBe(spec.name.slice(0, 40));
    expect(a!.model).toMatchObject({ messages: [{ content: spec.systemPrompt }] });
  });

  it('deletes an assistant, even one a phone number still points at', async () => {
    const { id } = await vapi.createAssistant(spec);
    const number = await vapi.createProviderNumber({ assistantId: id });
    await vapi.deleteAssistant(id);
    const s = await state();
    expect(s.assistants).toHaveLength(0);
    expect(s.phoneNumbers.map((p) => p.id)).toEqual([number.id]);
  });

  it('maps an unknown id to ProviderNotFoundError', async () => {
    await expect(vapi.deleteAssistant('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(
      ProviderNotFoundError,
    );
    await expect(vapi.updateAssistant('00000000-0000-4000-8000-000000000000', { name: 'x' })).rejects.toBeInstanceOf(
      ProviderNotFoundError,
    );
  });
});

describe('SIP trunk credentials', () => {
  it('creates a BYO SIP trunk and never hands back the password', async () => {
    const ref = await trunk();
    expect(ref).toEqual({ id: expect.any(String), username: 'fonella-out' });
    const s = await state();
    expect(s.credentials).toHaveLength(1);
    expect(s.credentials[0]).toMatchObject({
      id: ref.id,
      provider: 'byo-sip-trunk',
      gateways: [{ ip: '203.0.113.10', port: 5060, inboundEnabled: true }],
      outboundAuthenticationPlan: { authUsername: 'fonella-out', authPassword: '********' },
    });
    expect(JSON.stringify(s)).not.toContain('sip-pass-s3cret');
  });

  it('deletes it, and an unknown id is ProviderNotFoundError', async () => {
    const ref = await trunk();
    await vapi.deleteSipTrunk(ref.id);
    expect((await state()).credentials).toHaveLength(0);
    await expect(vapi.deleteSipTrunk(ref.id)).rejects.toBeInstanceOf(ProviderNotFoundError);
  });
});

describe('phone numbers', () => {
  it('imports a SIP-trunk number without the E.164 check, attached to an assistant', async () => {
    const assistant = await vapi.createAssistant(spec);
    const cred = await trunk();
    const ref = await vapi.createSipNumber({ number: '+4930123456', credentialId: cred.id, assistantId: assistant.id });
    expect(ref).toMatchObject({ provider: 'byo-phone-number', number: '+4930123456', assistantId: assistant.id });
    const [p] = (await state()).phoneNumbers;
    expect(p).toMatchObject({
      id: ref.id,
      provider: 'byo-phone-number',
      number: '+4930123456',
      credentialId: cred.id,
      numberE164CheckEnabled: false,
      assistantId: assistant.id,
    });
  });

  it('creates a Vapi number and attaches an assistant to it later', async () => {
    const ref = await vapi.createProviderNumber({ name: 'Hotline' });
    expect(ref.provider).toBe('vapi');
    expect(ref.number).toMatch(/^\+\d{8,15}$/);
    expect((await state()).phoneNumbers[0]!.assistantId).toBeUndefined();

    const assistant = await vapi.createAssistant(spec);
    await vapi.attachAssistant(ref, assistant.id);
    expect((await state()).phoneNumbers[0]).toMatchObject({ id: ref.id, provider: 'vapi', assistantId: assistant.id });
  });

  it('deletes a number, and an unknown id is ProviderNotFoundError', async () => {
    const ref = await vapi.createProviderNumber({});
    await vapi.deletePhoneNumber(ref.id);
    expect((await state()).phoneNumbers).toHaveLength(0);
    await expect(vapi.deletePhoneNumber(ref.id)).rejects.toBeInstanceOf(ProviderNotFoundError);
  });

  it('maps a rejected body (unknown credential) to ProviderRejectedError', async () => {
    await expect(vapi.createSipNumber({ number: '+4930123456', credentialId: 'nope' })).rejects.toBeInstanceOf(
      ProviderRejectedError,
    );
    expect((await state()).phoneNumbers).toHaveLength(0);
  });
});

describe('outbound calls', () => {
  it('places a call with variable values and reports it queued', async () => {
    const assistant = await vapi.createAssistant(spec);
    const number = await vapi.createProviderNumber({ assistantId: assistant.id });
    const call = await vapi.placeCall({
      assistantId: assistant.id,
      phoneNumberId: number.id,
      to: '+4915112345678',
      variables: { customerName: 'Frau Schmidt', slot: '14:30' },
    });
    expect(call).toEqual({ id: expect.any(String), status: 'queued' });
    const [c] = (await state()).calls;
    expect(c).toMatchObject({
      id: call.id,
      assistantId: assistant.id,
      phoneNumberId: number.id,
      customer: { number: '+4915112345678' },
      assistantOverrides: { variableValues: { customerName: 'Frau Schmidt', slot: '14:30' } },
    });
  });

  it("deletes a call's log, and an unknown id is ProviderNotFoundError", async () => {
    const assistant = await vapi.createAssistant(spec);
    const number = await vapi.createProviderNumber({ assistantId: assistant.id });
    const call = await vapi.placeCall({ assistantId: assistant.id, phoneNumberId: number.id, to: '+4915112345678' });
    await vapi.deleteCall(call.id);
    expect((await state()).calls).toHaveLength(0);
    await expect(vapi.deleteCall(call.id)).rejects.toBeInstanceOf(ProviderNotFoundError);
  });

  it('rejects a customer number that is not E.164', async () => {
    const assistant = await vapi.createAssistant(spec);
    const number = await vapi.createProviderNumber({});
    await expect(
      vapi.placeCall({ assistantId: assistant.id, phoneNumberId: number.id, to: '0151 1234' }),
    ).rejects.toBeInstanceOf(ProviderRejectedError);
    expect((await state()).calls).toHaveLength(0);
  });
});

describe('failures', () => {
  it('maps a wrong API key to ProviderRejectedError, for SDK and fetch calls alike', async () => {
    const wrong = vapiAdapter({ apiKey: 'not-the-key', baseUrl: emulator.baseUrl });
    await expect(wrong.createAssistant(spec)).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(wrong.deleteSipTrunk('x')).rejects.toBeInstanceOf(ProviderRejectedError);
    expect((await state()).assistants).toHaveLength(0);
  });

  it('does not retry a create: one 5xx is ProviderUnavailableError and nothing is stored', async () => {
    await fault({ mode: 'error', count: 1 });
    await expect(vapi.createAssistant(spec)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect((await state()).assistants).toHaveLength(0);
    // The single fault was used up by the single attempt.
    await expect(vapi.createAssistant(spec)).resolves.toMatchObject({ id: expect.any(String) });
  });

  it('retries an idempotent call past a transient 5xx, and gives up after three', async () => {
    const { id } = await vapi.createAssistant(spec);
    await fault({ mode: 'error', count: 1 });
    await vapi.updateAssistant(id, { greeting: 'Hallo!' });
    expect((await state()).assistants[0]!.firstMessage).toBe('Hallo!');

    await fault({ mode: 'error', count: 3 });
    await expect(vapi.deleteAssistant(id)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect((await state()).assistants).toHaveLength(1);
  });

  it('maps a 5xx on the fetch path (credentials) to ProviderUnavailableError', async () => {
    await fault({ mode: 'error', count: 1, match: '/credential' });
    await expect(trunk()).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect((await state()).credentials).toHaveLength(0);
  });

  it('turns a provider that never answers into ProviderUnavailableError within the timeout', async () => {
    const fast = vapiAdapter({ apiKey, baseUrl: emulator.baseUrl, timeoutMs: 300 });
    await fault({ mode: 'timeout', count: 1 });
    const started = Date.now();
    await expect(fast.createAssistant(spec)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(3000);

    await fault({ mode: 'timeout', count: 1, match: '/credential' });
    await expect(
      vapiAdapter({ apiKey, baseUrl: emulator.baseUrl, timeoutMs: 300 }).createSipTrunk({
        gateways: [{ ip: '203.0.113.10' }],
        auth: { username: 'u', password: 'p' },
      }),
    ).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});

describe('emulator wire shapes', () => {
  const call = (method: string, path: string, body?: unknown, key = apiKey) =>
    fetch(`${emulator.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('answers Vapi-style 400, 401 and 404 bodies', async () => {
    const noProvider = await call('POST', '/phone-number', { number: '+4930123456' });
    expect(noProvider.status).toBe(400);
    expect(await noProvider.json()).toMatchObject({ error: 'Bad Request', statusCode: 400, message: [expect.any(String)] });

    const noCustomer = await call('POST', '/call', { assistantId: 'a', phoneNumberId: 'p' });
    expect(noCustomer.status).toBe(400);

    const unauthorized = await call('GET', '/assistant', undefined, 'wrong');
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ error: 'Unauthorized', statusCode: 401 });

    const number = await vapi.createProviderNumber({});
    const wrongProvider = await call('PATCH', `/phone-number/${number.id}`, { provider: 'byo-phone-number', name: 'x' });
    expect(wrongProvider.status).toBe(400);

    const missing = await call('GET', '/call/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'Not Found', statusCode: 404, message: expect.any(String) });
  });
});
