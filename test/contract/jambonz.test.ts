// The jambonz adapter (plain fetch) against the jambonz emulator over HTTP: every port method, what the
// emulator holds afterwards, its seed-002 body checks, and failures as our typed errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { createJambonzEmulator, OUTBOUND_CALL_SECONDS } from '../../lib/local/emulators/jambonz';
import { CALLBACK_LOCAL } from '../../shared/config/callback';
import { ProviderNotFoundError, ProviderRejectedError, ProviderUnavailableError, ValidationError } from '../../shared/errors';
import { jambonzAdapter, type JambonzSettings, type JambonzSpeech } from '../../shared/providers/jambonz/adapter';
import { JAMBONZ_LOCAL, jambonzConfig } from '../../shared/providers/jambonz/config';
import type { JambonzPlatform } from '../../shared/providers/jambonz/port';
import { useEmulator } from '../support/emulator';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jambonzWebhookConfig } from '../../shared/config/webhooks';
import { verifyJambonzSignature } from '../../shared/providers/jambonz/signature';

type Row = Record<string, unknown>;
interface State {
  calls: Row[];
  phoneNumbers: Row[];
  applications: Row[];
  carriers: Row[];
  sipGateways: Row[];
}

const def = createJambonzEmulator();
const { apiKey, accountSid } = def.credentials as { apiKey: string; accountSid: string };
const emu = useEmulator(def);
let api: string;

const state = () => emu.inspect<State>();
const pending = emu.pending;
const fault = emu.fault;
const send = (method: string, path: string, body?: unknown, key = apiKey) =>
  fetch(api + path, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const speech: JambonzSpeech = { synthesisVendor: 'google', synthesisLanguage: 'de-DE', synthesisVoice: 'de-DE-Standard-A', recognizerVendor: 'google', recognizerLanguage: 'de-DE' };
/** What a call without an application_sid must carry: `speech` in jambonz's field names. */
const speechBody = {
  speech_synthesis_vendor: 'google',
  speech_synthesis_language: 'de-DE',
  speech_synthesis_voice: 'de-DE-Standard-A',
  speech_recognizer_vendor: 'google',
  speech_recognizer_language: 'de-DE',
};
const jambonz = (over: Partial<JambonzSettings> = {}): JambonzPlatform => jambonzAdapter({ baseUrl: api, apiKey, accountSid, speech, ...over });
const setFeatureServers = async (available: number) => {
  const res = await fetch(`${emu.baseUrl}/_feature-servers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ available }) });
  expect(res.status).toBe(200);
};

const hooks = {
  callHook: { url: 'https://api.fonella.test/v1/webhooks/jambonz/call' },
  callStatusHook: { url: 'https://api.fonella.test/v1/webhooks/jambonz/status', method: 'POST' as const, username: 'jb', password: 'hook-secret' },
};
/** A carrier with one gateway and an application: what a number needs. */
async function provision(j: JambonzPlatform) {
  const app = await j.createApplication({ name: 'fonella-assistant', ...hooks });
  const carrier = await j.createCarrier({ name: 'fonella-trunk', e164LeadingPlus: true });
  return { app, carrier };
}

beforeAll(() => {
  api = def.env(emu.baseUrl).JAMBONZ_BASE_URL!;
});

describe('jambonz adapter', () => {
  it('creates, lists and deletes applications with their hooks', async () => {
    const j = jambonz();
    const { sid } = await j.createApplication({ name: 'fonella-assistant', ...hooks });
    const [stored] = (await state()).applications;
    expect(stored).toMatchObject({
      application_sid: sid,
      account_sid: accountSid,
      name: 'fonella-assistant',
      call_hook: { url: hooks.callHook.url, method: 'POST' },
      call_status_hook: { url: hooks.callStatusHook.url, method: 'POST', username: 'jb', password: 'hook-secret' },
    });
    expect(await j.listApplications()).toEqual([
      { sid, name: 'fonella-assistant', callHook: { url: hooks.callHook.url, method: 'POST' }, callStatusHook: hooks.callStatusHook },
    ]);
    await j.deleteApplication(sid);
    expect((await state()).applications).toEqual([]);
  });

  it('creates, lists and deletes carriers with their registration', async () => {
    const j = jambonz();
    const { sid } = await j.createCarrier({
      name: 'sipgate-trunk',
      description: 'Fonella trunk',
      registration: { username: 'fonella-out', sipRealm: 'sipconnect.sipgate.de', password: 'sip-pass' },
    });
    expect((await state()).carriers).toEqual([
      expect.objectContaining({
        voip_carrier_sid: sid,
        account_sid: accountSid,
        name: 'sipgate-trunk',
        requires_register: true,
        register_username: 'fonella-out',
        register_sip_realm: 'sipconnect.sipgate.de',
        register_password: 'sip-pass',
        e164_leading_plus: false,
      }),
    ]);
    expect(await j.listCarriers()).toEqual([
      { sid, name: 'sipgate-trunk', description: 'Fonella trunk', e164LeadingPlus: false, registration: { username: 'fonella-out', sipRealm: 'sipconnect.sipgate.de' } },
    ]);
    await j.deleteCarrier(sid);
    expect((await state()).carriers).toEqual([]);
  });

  it('creates, lists by carrier and deletes SIP gateways', async () => {
    const j = jambonz();
    const { carrier } = await provision(j);
    const other = await j.createCarrier({ name: 'other' });
    const { sid } = await j.createSipGateway({ carrierSid: carrier.sid, address: '217.10.79.9', port: 5080 });
    await j.createSipGateway({ carrierSid: other.sid, address: 'sip.example.net', inbound: false });
    expect((await state()).sipGateways[0]).toMatchObject({ sip_gateway_sid: sid, voip_carrier_sid: carrier.sid, ipv4: '217.10.79.9', port: 5080, inbound: true, outbound: true });
    expect(await j.listSipGateways(carrier.sid)).toEqual([
      { sid, carrierSid: carrier.sid, address: '217.10.79.9', port: 5080, inbound: true, outbound: true },
    ]);
    await j.deleteSipGateway(sid);
    expect(await j.listSipGateways(carrier.sid)).toEqual([]);
    expect((await state()).sipGateways).toHaveLength(1);
  });

  it('creates, lists and deletes phone numbers (E.164 on our side, digits on jambonz’s)', async () => {
    const j = jambonz();
    const { app, carrier } = await provision(j);
    const { sid } = await j.createPhoneNumber({ number: '+4930231250010', carrierSid: carrier.sid, applicationSid: app.sid });
    expect((await state()).phoneNumbers).toEqual([
      { phone_number_sid: sid, number: '4930231250010', voip_carrier_sid: carrier.sid, account_sid: accountSid, application_sid: app.sid },
    ]);
    expect(await j.listPhoneNumbers()).toEqual([{ sid, number: '+4930231250010', carrierSid: carrier.sid, applicationSid: app.sid }]);
    await expect(j.deleteApplication(app.sid)).rejects.toBeInstanceOf(ProviderRejectedError);
    await j.deletePhoneNumber(sid);
    expect((await state()).phoneNumbers).toEqual([]);
  });

  it('creates a call controlled by an application, the configured default, or per-call hooks', async () => {
    const { app } = await provision(jambonz());
    const a = await jambonz().createCall({ from: '+4930231250010', to: '+4922111223344', applicationSid: app.sid, tag: { fonellaCallId: 'c-1' } });
    const b = await jambonz({ applicationSid: app.sid }).createCall({ from: '+4930231250010', to: '+4915112345678' });
    const c = await jambonz().createCall({ from: '+4930231250010', to: '+4922111223344', ...hooks });
    const { calls } = await state();
    expect(calls.map((x) => x.call_sid)).toEqual([a.sid, b.sid, c.sid]);
    // jambonz runs an application's call on the application's hooks.
    expect(calls[0]).toMatchObject({ account_sid: accountSid, from: '+4930231250010', to: { type: 'phone', number: '+4922111223344' }, application_sid: app.sid, tag: { fonellaCallId: 'c-1' }, call_hook: { url: hooks.callHook.url } });
    expect(calls[1]).toMatchObject({ application_sid: app.sid, to: { type: 'phone', number: '+4915112345678' } });
    expect(calls[2]).toMatchObject({ call_hook: { url: hooks.callHook.url, method: 'POST' }, call_status_hook: { url: hooks.callStatusHook.url } });
    expect(calls[2]).not.toHaveProperty('application_sid');
  });

  // jambonz-api-server lib/routes/api/accounts.js validateCreateCall: no application_sid → all five speech_* required, else 400.
  it('a call on per-call hooks carries the configured speech settings; without them → Error, nothing sent', async () => {
    const { sid } = await jambonz().createCall({ from: '+4930231250010', to: '+4922111223344', ...hooks });
    expect((await state()).calls).toEqual([expect.objectContaining({ call_sid: sid, ...speechBody })]);
    const unset = jambonz({ speech: undefined, applicationSid: '0b6f3a52-6a3e-4d5c-9a1e-2f1e0c1d2b3a' });
    await expect(unset.createCall({ from: '+4930231250010', to: '+4922111223344', ...hooks })).rejects.toThrow(/JAMBONZ_SPEECH_/);
    expect((await state()).calls).toHaveLength(1);
  });

  // jambonz-api-server lib/routes/api/accounts.js POST /:sid/Calls: 480 'no available feature servers at this time'.
  it('no free feature server (480) → ProviderUnavailableError, no call', async () => {
    await setFeatureServers(0);
    const err = await jambonz().createCall({ from: '+4930231250010', to: '+4922111223344', ...hooks }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect(err).toMatchObject({ providerStatus: 480 });
    expect((await state()).calls).toEqual([]);
  });

  // jambonz-api-server lib/routes/api/phone-numbers.js validateAdd: unknown voip_carrier_sid → DbErrorBadRequest (400).
  it('a phone number on an unknown carrier → ProviderRejectedError, not a not-found', async () => {
    const err = await jambonz().createPhoneNumber({ number: '+4930231250010', carrierSid: '0f0f0f0f-1111-4222-8333-444455556666' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err).toMatchObject({ providerStatus: 400 });
    expect((await state()).phoneNumbers).toEqual([]);
  });

  // jambonz-api-server lib/routes/api/voip-carriers.js validateRegistrationFields: username and password when registering, a valid realm.
  it('a carrier registration without username or password, or with a bad SIP realm → ProviderRejectedError, nothing stored', async () => {
    const j = jambonz();
    const registration = { username: 'fonella-out', sipRealm: 'sipconnect.sipgate.de', password: 'sip-pass' };
    for (const bad of [
      { ...registration, username: '' },
      { ...registration, username: 'fonella out' },
      { ...registration, password: ' ' },
      { ...registration, sipRealm: 'sip:sipconnect.sipgate.de' },
      { ...registration, sipRealm: 'sipgate' },
    ]) {
      await expect(j.createCarrier({ name: 'sipgate-trunk', registration: bad }), JSON.stringify(bad)).rejects.toBeInstanceOf(ProviderRejectedError);
    }
    expect((await state()).carriers).toEqual([]);
  });

  it('a call to a number that is not E.164 → ValidationError, nothing sent', async () => {
    await expect(jambonz().createCall({ from: '+4930231250010', to: '0221 112233', ...hooks })).rejects.toBeInstanceOf(ValidationError);
    expect((await state()).calls).toEqual([]);
  });

  it('a wrong API key → ProviderRejectedError', async () => {
    await expect(jambonz({ apiKey: 'wrong' }).listApplications()).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(jambonz({ apiKey: 'wrong' }).createApplication({ name: 'x', ...hooks })).rejects.toBeInstanceOf(ProviderRejectedError);
    expect((await state()).applications).toEqual([]);
  });

  // jambonz-api-server lib/routes/api/accounts.js POST /:sid/Calls: validateRequest (403 'insufficient permissions') runs before
  // validateCreateCall, whose 400 'unauthorized createCall request' an account key never reaches.
  it('another account’s sid → ProviderRejectedError, no call', async () => {
    const foreign = jambonz({ accountSid: '0f0f0f0f-1111-4222-8333-444455556666' });
    await expect(foreign.createCall({ from: '+4930231250010', to: '+4922111223344', ...hooks })).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(foreign.createApplication({ name: 'x', ...hooks })).rejects.toBeInstanceOf(ProviderRejectedError);
    expect(await state()).toMatchObject({ calls: [], applications: [] });
  });

  it('deleting an unknown sid → ProviderNotFoundError', async () => {
    await expect(jambonz().deleteCarrier('0f0f0f0f-1111-4222-8333-444455556666')).rejects.toBeInstanceOf(ProviderNotFoundError);
  });

  it('an injected 5xx on every try → ProviderUnavailableError', async () => {
    await fault({ mode: 'error', count: 3 });
    await expect(jambonz().listPhoneNumbers()).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await pending()).toEqual([]);
  });

  it('reads are retried past a passing 5xx; creating a call is not', async () => {
    const j = jambonz();
    await fault({ mode: 'error', count: 2, match: '/Applications' });
    expect(await j.listApplications()).toEqual([]);
    await fault({ mode: 'error', count: 2, match: '/Calls' });
    await expect(j.createCall({ from: '+4930231250010', to: '+4922111223344', ...hooks })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect((await pending()).map((p) => p.count)).toEqual([1]);
    expect((await state()).calls).toEqual([]);
  });

  it('no answer → ProviderUnavailableError within the timeout', async () => {
    await fault({ mode: 'timeout', count: 1, match: '/Calls' });
    const started = Date.now();
    await expect(jambonz({ timeoutMs: 300 }).createCall({ from: '+4930231250010', to: '+4922111223344', ...hooks })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await state()).calls).toEqual([]);
  });
});

describe('jambonz emulator (seed 002 paths, auth and schemas)', () => {
  const app = { name: 'a', account_sid: accountSid, call_hook: { url: 'https://x.test/call' }, call_status_hook: { url: 'https://x.test/status' } };

  // jambonz-api-server lib/routes/api/accounts.js POST /:sid/Calls: validateSid (400 'Bad request'), then validateRequest (403).
  it('refuses a missing or wrong bearer with 401, another account with 403, a malformed account sid with 400', async () => {
    expect((await fetch(`${api}/Applications`)).status).toBe(401);
    expect((await send('GET', '/Applications', undefined, 'wrong')).status).toBe(401);
    const call = { from: '1', to: { type: 'phone', number: '2' }, call_hook: { url: 'https://x.test' }, ...speechBody };
    const res = await send('POST', '/Accounts/0f0f0f0f-1111-4222-8333-444455556666/Calls', call);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ msg: 'insufficient permissions' });
    expect((await send('POST', '/Accounts/not-a-sid/Calls', call)).status).toBe(400);
  });

  // jambonz-api-server lib/routes/api/accounts.js POST /:sid/Calls: getFsUrl before anything else past the bearer check.
  it('answers 480 when no feature server is free, before checking the account or the body; 201 again once one is', async () => {
    await setFeatureServers(0);
    const call = { from: '1', to: { type: 'phone', number: '2' }, call_hook: { url: 'https://x.test' }, ...speechBody };
    expect((await send('POST', '/Accounts/x/Calls', call, 'wrong')).status).toBe(401);
    for (const path of [`/Accounts/${accountSid}/Calls`, '/Accounts/0f0f0f0f-1111-4222-8333-444455556666/Calls']) {
      const res = await send('POST', path, {});
      expect(res.status).toBe(480);
      expect(await res.json()).toEqual({ msg: 'no available feature servers at this time' });
    }
    expect((await send('POST', '/PhoneNumbers', { number: '1' })).status).toBe(400);
    await setFeatureServers(2);
    expect((await send('POST', `/Accounts/${accountSid}/Calls`, call)).status).toBe(201);
    expect((await state()).calls).toHaveLength(1);
  });

  // jambonz-api-server lib/routes/api/accounts.js validateCreateCall: application_sid, or the five speech_* settings and a call_hook.
  it('creates a call only with an application_sid or all five speech settings, in validateCreateCall’s words', async () => {
    const path = `/Accounts/${accountSid}/Calls`;
    const base = { from: '+49301', to: { type: 'phone', number: '+4922111223344' } };
    const hook = { call_hook: { url: 'https://x.test/call' } };
    const speechMissing = /^either application_sid or set of speech_synthesis_vendor, speech_synthesis_language, speech_synthesis_voice, speech_recognizer_vendor, speech_recognizer_language required$/;
    const refused: [unknown, RegExp][] = [
      [{ ...base, ...hook }, speechMissing],
      [{ ...base, ...hook, ...speechBody, speech_synthesis_voice: undefined }, speechMissing],
      [{ ...base, ...hook, ...speechBody, speech_recognizer_language: '' }, speechMissing],
      [{ ...base, ...speechBody }, /^either call_hook or application_sid required$/],
      [{ ...base, ...hook, application_sid: '0f0f0f0f-1111-4222-8333-444455556666' }, /^application_sid not found 0f0f0f0f-/],
      [{ to: base.to, ...hook, ...speechBody }, /^missing from parameter$/],
    ];
    for (const [body, pattern] of refused) {
      const res = await send('POST', path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { msg: string }).msg).toMatch(pattern);
    }
    expect((await state()).calls).toEqual([]);
    const app = (await (await send('POST', '/Applications', { name: 'a', account_sid: accountSid, call_hook: { url: 'https://x.test/app' }, call_status_hook: { url: 'https://x.test/s' } })).json()) as { sid: string };
    expect((await send('POST', path, { ...base, application_sid: app.sid })).status).toBe(201);
    expect((await send('POST', path, { ...base, ...hook, ...speechBody })).status).toBe(201);
    // With an application_sid jambonz uses the application's hooks, whatever the call names.
    expect((await send('POST', path, { ...base, ...hook, application_sid: app.sid })).status).toBe(201);
    expect((await state()).calls.map((c) => (c.call_hook as { url: string }).url)).toEqual(['https://x.test/app', 'https://x.test/call', 'https://x.test/app']);
  });

  // jambonz-api-server lib/routes/api/voip-carriers.js validateRegistrationFields (400 DbErrorBadRequest).
  it('checks a carrier’s registration fields as jambonz does', async () => {
    const reg = { name: 'c', requires_register: true, register_username: 'u', register_password: 'p', register_sip_realm: 'sip.example.com' };
    const refused: [unknown, RegExp][] = [
      [{ ...reg, register_username: undefined }, /^register_username is required when requires_register is true$/],
      [{ ...reg, register_username: '  ' }, /^register_username is required/],
      [{ ...reg, register_username: 'a b' }, /^register_username must not contain whitespace$/],
      [{ ...reg, register_password: undefined }, /^register_password is required when requires_register is true$/],
      [{ ...reg, register_sip_realm: '' }, /^register_sip_realm must not be empty string/],
      [{ ...reg, register_sip_realm: 'sip:sip.example.com' }, /^register_sip_realm must be a valid domain or IP address/],
      [{ ...reg, register_sip_realm: 'sip example.com' }, /^register_sip_realm must be a valid domain/],
      [{ ...reg, register_sip_realm: 'localhost' }, /^register_sip_realm must be a valid domain/],
      [{ name: 'c', register_username: 'a b' }, /^register_username must not contain whitespace$/],
      [{ name: 'c', register_sip_realm: ' sip.example.com' }, /^register_sip_realm must be a valid domain/],
      [{ ...reg, register_from_domain: 'sips:example.com' }, /^register_from_domain must be a valid domain/],
    ];
    for (const [body, pattern] of refused) {
      const res = await send('POST', '/VoipCarriers', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { msg: string }).msg).toMatch(pattern);
    }
    expect((await state()).carriers).toEqual([]);
    for (const body of [reg, { ...reg, register_sip_realm: '217.10.79.9' }, { ...reg, register_sip_realm: null }, { name: 'd', requires_register: false }]) {
      expect((await send('POST', '/VoipCarriers', body)).status, JSON.stringify(body)).toBe(201);
    }
  });

  it('rejects bodies that break the schema with 400 { msg }, storing nothing', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/Applications', { ...app, call_hook: undefined }, /missing field call_hook/],
      ['POST', '/Applications', { ...app, call_hook: { url: 'not a url' } }, /call_hook\.url/],
      ['POST', '/Applications', { ...app, callHook: app.call_hook }, /callHook/],
      ['POST', '/VoipCarriers', { name: 'c', e164_leading_plus: 'yes' }, /e164_leading_plus/],
      ['POST', '/SipGateways', { voip_carrier_sid: 'not-a-uuid', ipv4: '1.2.3.4' }, /voip_carrier_sid/],
      ['POST', '/PhoneNumbers', { number: '4930231250010' }, /missing field voip_carrier_sid/],
      ['POST', `/Accounts/${accountSid}/Calls`, { from: '+49301', to: '+4922111223344', call_hook: { url: 'https://x.test' } }, /^missing or invalid to property: "\+4922111223344"$/],
      ['POST', `/Accounts/${accountSid}/Calls`, { from: '+49301', to: { type: 'phone' }, call_hook: { url: 'https://x.test' } }, /to property/],
      ['POST', `/Accounts/${accountSid}/Calls`, { from: '+49301', to: { type: 'phone', number: '+4922111223344' }, ...speechBody, call_hook: { url: 'not a url' } }, /call_hook\.url/],
    ];
    for (const [method, path, body, pattern] of cases) {
      const res = await send(method, path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(((await res.json()) as { msg: string }).msg).toMatch(pattern);
    }
    expect(await state()).toEqual({ calls: [], phoneNumbers: [], applications: [], carriers: [], sipGateways: [], webhooks: [] });
  });

  // jambonz-api-server lib/routes/api/phone-numbers.js validateAdd: whitespace, then an unknown carrier, are 400s.
  it('answers the other statuses: 400 unknown carrier, 422 duplicate number, 400 list without carrier', async () => {
    const carrier = (await (await send('POST', '/VoipCarriers', { name: 'c' })).json()) as { sid: string };
    const unknown = await send('POST', '/PhoneNumbers', { number: '+491', voip_carrier_sid: '0f0f0f0f-1111-4222-8333-444455556666' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ msg: 'voip_carrier not found for sid 0f0f0f0f-1111-4222-8333-444455556666' });
    const spaced = await send('POST', '/PhoneNumbers', { number: '+49 30 1', voip_carrier_sid: carrier.sid });
    expect(spaced.status).toBe(400);
    expect(await spaced.json()).toEqual({ msg: 'number cannot contain whitespace' });
    expect((await send('POST', '/PhoneNumbers', { number: '+491', voip_carrier_sid: carrier.sid })).status).toBe(201);
    expect((await send('POST', '/PhoneNumbers', { number: '491', voip_carrier_sid: carrier.sid })).status).toBe(422);
    expect((await send('DELETE', `/VoipCarriers/${carrier.sid}`)).status).toBe(422);
    expect((await send('GET', '/SipGateways')).status).toBe(400);
  });

  it('deleting a carrier takes its gateways with it', async () => {
    const carrier = (await (await send('POST', '/VoipCarriers', { name: 'c' })).json()) as { sid: string };
    expect((await send('POST', '/SipGateways', { voip_carrier_sid: carrier.sid, ipv4: '203.0.113.5' })).status).toBe(201);
    expect((await send('DELETE', `/VoipCarriers/${carrier.sid}`)).status).toBe(204);
    expect((await state()).sipGateways).toEqual([]);
  });
});

describe('jambonz config', () => {
  it('defaults to the emulator’s key and account locally; everything is required elsewhere', () => {
    expect(jambonzConfig.parse({ STAGE: 'test' })).toEqual({ baseUrl: 'http://127.0.0.1:4006/v1', apiKey: JAMBONZ_LOCAL.apiKey, accountSid: JAMBONZ_LOCAL.accountSid, applicationSid: undefined, speech });
    expect(def.credentials).toEqual({ apiKey: JAMBONZ_LOCAL.apiKey, accountSid: JAMBONZ_LOCAL.accountSid, webhookSecret: jambonzWebhookConfig.parse({ STAGE: 'test' }).secret });
    expect(() => jambonzConfig.parse({ STAGE: 'prod', JAMBONZ_API_KEY: 'k', JAMBONZ_ACCOUNT_SID: accountSid })).toThrow(/JAMBONZ_BASE_URL/);
    expect(() => jambonzConfig.parse({ STAGE: 'prod', JAMBONZ_BASE_URL: 'https://jb.example.com/v1', JAMBONZ_API_KEY: 'k', JAMBONZ_ACCOUNT_SID: 'acct' })).toThrow(/JAMBONZ_ACCOUNT_SID/);
  });

  it('takes an application, the five speech settings, both or neither; never part of the speech settings', () => {
    const deployed = { STAGE: 'prod', JAMBONZ_BASE_URL: 'https://jb.example.com/v1', JAMBONZ_API_KEY: 'k', JAMBONZ_ACCOUNT_SID: accountSid };
    const speechEnv = {
      JAMBONZ_SPEECH_SYNTHESIS_VENDOR: 'microsoft',
      JAMBONZ_SPEECH_SYNTHESIS_LANGUAGE: 'de-DE',
      JAMBONZ_SPEECH_SYNTHESIS_VOICE: 'de-DE-KatjaNeural',
      JAMBONZ_SPEECH_RECOGNIZER_VENDOR: 'deepgram',
      JAMBONZ_SPEECH_RECOGNIZER_LANGUAGE: 'de',
    };
    expect(jambonzConfig.parse(deployed)).toMatchObject({ applicationSid: undefined, speech: undefined });
    expect(jambonzConfig.parse({ ...deployed, ...speechEnv, JAMBONZ_APPLICATION_SID: accountSid })).toMatchObject({
      applicationSid: accountSid,
      speech: { synthesisVendor: 'microsoft', synthesisLanguage: 'de-DE', synthesisVoice: 'de-DE-KatjaNeural', recognizerVendor: 'deepgram', recognizerLanguage: 'de' },
    });
    expect(() => jambonzConfig.parse({ ...deployed, ...speechEnv, JAMBONZ_SPEECH_SYNTHESIS_VOICE: undefined })).toThrow(/missing JAMBONZ_SPEECH_SYNTHESIS_VOICE/);
  });
});

describe('an inbound call (POST /_simulate/inbound)', () => {
  /** Our side: records each signed request and answers the call hook's moments as a hotline does (or as `firstVerbs` says, for a new call). */
  async function hookServer(firstVerbs?: unknown[]) {
    const seen: { path: string; body: Row; signed: boolean }[] = [];
    const server: Server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const body = JSON.parse(text) as Row;
        const signed = verifyJambonzSignature(text, req.headers['jambonz-signature'] as string | undefined, def.credentials.webhookSecret!);
        seen.push({ path: req.url ?? '', body, signed });
        let verbs: unknown = {};
        if (req.url === '/call') {
          const next = `http://127.0.0.1:${(server.address() as AddressInfo).port}/call`;
          const dial = (number: string) => ({ verb: 'dial', timeout: 15, target: [{ type: 'phone', number }], actionHook: next, confirmHook: next });
          if (body.direction === 'outbound') verbs = [{ verb: 'say', text: 'for the agent' }];
          else if (body.dial_call_status === undefined) verbs = firstVerbs ?? [{ verb: 'say', text: 'hello' }, dial('+491111')];
          else verbs = body.dial_call_status === 'completed' ? [{ verb: 'hangup' }] : [dial('+492222')];
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(verbs));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { seen, base, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  it('calls the number\'s application hooks, signed, follows the verbs and posts both legs\' status events', async () => {
    const hooksAt = await hookServer();
    try {
      const j = jambonz();
      const app = await j.createApplication({ name: 'hotline', callHook: { url: `${hooksAt.base}/call` }, callStatusHook: { url: `${hooksAt.base}/status` } });
      const carrier = await j.createCarrier({ name: 'org-carrier' });
      await j.createPhoneNumber({ number: '+492415550001', carrierSid: carrier.sid, applicationSid: app.sid });
      const res = await fetch(`${emu.baseUrl}/_simulate/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: '+492415550001', from: '+4917000000', answeredBy: '+492222', durationSeconds: 61 }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { trace: string[] }).trace).toEqual([
        'say: hello',
        'dial +491111: no answer after 15 s',
        'dial +492222: answered',
        'say to +492222: for the agent',
        'hangup',
      ]);
      expect(hooksAt.seen.every((r) => r.signed)).toBe(true);
      const status = hooksAt.seen.filter((r) => r.path === '/status').map((r) => [r.body.parent_call_sid ? r.body.to : 'caller', r.body.call_status]);
      expect(status).toEqual([
        ['caller', 'in-progress'],
        ['+491111', 'ringing'],
        ['+491111', 'no-answer'],
        ['+492222', 'ringing'],
        ['+492222', 'in-progress'],
        ['+492222', 'completed'],
        ['caller', 'completed'],
      ]);
      expect(hooksAt.seen.at(-1)!.body).toMatchObject({ direction: 'inbound', from: '+4917000000', to: '+492415550001', duration: 61 });
    } finally {
      await hooksAt.close();
    }
  });

  /** A number of the account whose application's hooks are `base`/call and `base`/status. */
  async function numberFor(base: string, number: string) {
    const j = jambonz();
    const app = await j.createApplication({ name: `hotline-${number}`, callHook: { url: `${base}/call` }, callStatusHook: { url: `${base}/status` } });
    const carrier = await j.createCarrier({ name: `org-carrier-${number}` });
    await j.createPhoneNumber({ number, carrierSid: carrier.sid, applicationSid: app.sid });
  }
  const simulate = async (path: string, body: unknown) => {
    const res = await fetch(`${emu.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Row & { trace: string[] } };
  };
  const statusEvents = (seen: { path: string; body: Row }[]) =>
    seen.filter((r) => r.path === '/status').map((r) => [r.body.parent_call_sid ? r.body.to : 'caller', r.body.call_status, r.body.sip_status]);

  it('hold: the bridged call stays in progress (shown in /_inspect) until /_simulate/hangup posts its final events', async () => {
    const hooksAt = await hookServer();
    try {
      await numberFor(hooksAt.base, '+492415550002');
      const up = await simulate('/_simulate/inbound', { to: '+492415550002', hold: true });
      expect(up.status).toBe(200);
      expect(up.body).toMatchObject({ answeredBy: '+491111', callStatus: 'in-progress', trace: ['say: hello', 'dial +491111: answered', 'say to +491111: for the agent'] });
      expect(statusEvents(hooksAt.seen)).toEqual([['caller', 'in-progress', 200], ['+491111', 'ringing', 180], ['+491111', 'in-progress', 200]]);
      const during = (await state()).calls.find((c) => c.call_sid === up.body.callSid)!;
      expect(during).toMatchObject({ direction: 'inbound', in_progress: true, call_status: 'in-progress', answered_by: '+491111' });
      expect(during).not.toHaveProperty('ended');

      const down = await simulate('/_simulate/hangup', { callSid: up.body.callSid, durationSeconds: 42 });
      expect(down.status).toBe(200);
      expect(down.body).toMatchObject({ callSid: up.body.callSid, callStatus: 'completed' });
      expect(down.body.trace.slice(3)).toEqual(['hung up after 42 s', 'hangup']);
      expect(statusEvents(hooksAt.seen).slice(3)).toEqual([['+491111', 'completed', 200], ['caller', 'completed', 200]]);
      expect(hooksAt.seen.filter((r) => r.path === '/status').map((r) => r.body.duration).filter((d) => d !== undefined)).toEqual([42, 42]);
      expect((await state()).calls.find((c) => c.call_sid === up.body.callSid)).toMatchObject({ in_progress: false, call_status: 'completed', ended: 'hangup', duration: 42 });
      // Over: nothing to hang up any more.
      expect((await simulate('/_simulate/hangup', { callSid: up.body.callSid })).status).toBe(404);
      expect((await simulate('/_simulate/hangup', {})).status).toBe(400);
    } finally {
      await hooksAt.close();
    }
  });

  it('a reset drops a held call without another webhook', async () => {
    const hooksAt = await hookServer();
    try {
      await numberFor(hooksAt.base, '+492415550004');
      const up = await simulate('/_simulate/inbound', { to: '+492415550004', hold: true });
      expect(up.body.callStatus).toBe('in-progress');
      const posted = hooksAt.seen.length;
      await fetch(`${emu.baseUrl}/_reset`, { method: 'POST' });
      await new Promise((r) => setTimeout(r, 50));
      expect(hooksAt.seen).toHaveLength(posted);
      expect((await simulate('/_simulate/hangup', { callSid: up.body.callSid })).status).toBe(404);
    } finally {
      await hooksAt.close();
    }
  });

  it('sip:decline rejects the unanswered call: the caller\'s leg is posted failed with the status and reason, nothing else runs', async () => {
    const hooksAt = await hookServer([{ verb: 'sip:decline', status: 486, reason: 'Busy Here' }, { verb: 'say', text: 'never said' }]);
    try {
      await numberFor(hooksAt.base, '+492415550003');
      const res = await simulate('/_simulate/inbound', { to: '+492415550003', hold: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ answeredBy: null, callStatus: 'failed', sipStatus: 486, sipReason: 'Busy Here', trace: ['sip:decline 486 Busy Here'] });
      expect(statusEvents(hooksAt.seen)).toEqual([['caller', 'failed', 486]]);
      expect(hooksAt.seen.at(-1)!.body).toMatchObject({ call_sid: res.body.callSid, direction: 'inbound', sip_reason: 'Busy Here' });
      expect((await state()).calls.find((c) => c.call_sid === res.body.callSid)).toMatchObject({ in_progress: false, call_status: 'failed', sip_status: 486, sip_reason: 'Busy Here', ended: 'declined' });
    } finally {
      await hooksAt.close();
    }
  });

  it('answers 404 for a number not on the account', async () => {
    const res = await fetch(`${emu.baseUrl}/_simulate/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: '+49999' }) });
    expect(res.status).toBe(404);
  });
});

describe('a created call, run through its hooks (answerCalls, as the local stack runs it)', () => {
  const running = createJambonzEmulator({ answerCalls: true, seedCallback: true });
  const live = useEmulator(running);
  const answering = () => jambonzAdapter({ baseUrl: running.env(live.baseUrl).JAMBONZ_BASE_URL!, apiKey, accountSid, speech });

  /** Our side: records each request; the call hook dials a SIP target (actionHook relative), the action hangs up. */
  async function hookServer() {
    const seen: { path: string; body: Row; signed: boolean }[] = [];
    const server: Server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const body = JSON.parse(text) as Row;
        seen.push({ path: req.url ?? '', body, signed: verifyJambonzSignature(text, req.headers['jambonz-signature'] as string | undefined, running.credentials.webhookSecret!) });
        let verbs: unknown = {};
        if (req.url === '/hooks/call') {
          verbs =
            body.dial_call_status === undefined
              ? [{ verb: 'dial', callerId: '+4915112345678', target: [{ type: 'sip', sipUri: 'sip:assistant@sip.vapi.ai' }], headers: { 'X-locale': 'de' }, actionHook: '/hooks/call' }]
              : [{ verb: 'hangup' }];
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(verbs));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { seen, base, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  it('answers the call, posts the call hook with the tag as customerData, dials the SIP target, follows the relative actionHook and posts the status events', async () => {
    const ours = await hookServer();
    try {
      const { sid } = await answering().createCall({ from: '+4930231250010', to: '+4915112345678', callHook: { url: `${ours.base}/hooks/call` }, callStatusHook: { url: `${ours.base}/hooks/status` }, tag: { requestId: 'r-1' } });
      const call = await (async () => {
        // Completed in the emulator's state, and its last status event (posted after) arrived here.
        const lastStatus = () => ours.seen.some((r) => r.path === '/hooks/status' && !r.body.parent_call_sid && r.body.call_status === 'completed');
        for (let i = 0; i < 500; i++) {
          const c = (await live.inspect<State>()).calls.find((x) => x.call_sid === sid);
          if (c?.call_status === 'completed' && lastStatus()) return c;
          await new Promise((r) => setTimeout(r, 10));
        }
        throw new Error('the call never completed');
      })();
      expect(ours.seen.every((r) => r.signed)).toBe(true);
      expect(ours.seen.map((r) => [r.path, r.body.parent_call_sid ? 'assistant' : 'callee', r.body.call_status, r.body.dial_call_status ?? null])).toEqual([
        ['/hooks/status', 'callee', 'ringing', null],
        ['/hooks/status', 'callee', 'in-progress', null],
        ['/hooks/call', 'callee', 'in-progress', null],
        ['/hooks/status', 'assistant', 'ringing', null],
        ['/hooks/status', 'assistant', 'in-progress', null],
        ['/hooks/status', 'assistant', 'completed', null],
        ['/hooks/call', 'callee', 'in-progress', 'completed'],
        ['/hooks/status', 'callee', 'completed', null],
      ]);
      expect(ours.seen.filter((r) => !r.body.parent_call_sid).every((r) => r.body.call_sid === sid && (r.body.customerData as Row).requestId === 'r-1')).toBe(true);
      expect(ours.seen[2]!.body).toMatchObject({ direction: 'outbound', from: '+4930231250010', to: '+4915112345678', account_sid: accountSid });
      expect(ours.seen.at(-1)!.body).toMatchObject({ duration: OUTBOUND_CALL_SECONDS });
      expect(call).toMatchObject({
        call_status: 'completed',
        duration: OUTBOUND_CALL_SECONDS,
        dialed: [{ type: 'sip', sipUri: 'sip:assistant@sip.vapi.ai', callerId: '+4915112345678', headers: { 'X-locale': 'de' }, status: 'answered' }],
        trace: ['dial sip:assistant@sip.vapi.ai: answered', 'hangup'],
      });
    } finally {
      await ours.close();
    }
  });

  it("points the seeded callback application's hooks at the API it is given", async () => {
    running.callbackHooksAt('http://127.0.0.1:3999/');
    const app = (await live.inspect<State>()).applications.find((a) => a.application_sid === CALLBACK_LOCAL.jambonzApplicationSid)!;
    expect(app).toMatchObject({
      call_hook: { url: 'http://127.0.0.1:3999/v1/webhooks/jambonz/callback/call' },
      call_status_hook: { url: 'http://127.0.0.1:3999/v1/webhooks/jambonz/callback/status' },
    });
    // And keeps them there through a reset.
    await fetch(`${live.baseUrl}/_reset`, { method: 'POST' });
    expect((await live.inspect<State>()).applications[0]).toMatchObject({ call_hook: { url: 'http://127.0.0.1:3999/v1/webhooks/jambonz/callback/call' } });
  });

  it('without answerCalls a created call only waits, as before', async () => {
    await jambonz().createCall({ from: '+4930231250010', to: '+4915112345678', ...hooks });
    await new Promise((r) => setTimeout(r, 50));
    const s = await state();
    expect(s.calls.map((c) => c.call_status)).toEqual(['queued']);
    expect((s as unknown as { webhooks: Row[] }).webhooks).toEqual([]);
  });
});
