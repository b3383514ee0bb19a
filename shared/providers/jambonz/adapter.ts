// jambonz REST API (/v1) over plain fetch, with the account's API key as bearer token. Creates are never
// retried (a second try could dial twice or duplicate a resource); reads and deletes may be.
// What jambonz sends back to our hooks is signed: `Jambonz-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
// "t.body">` with the account's webhook secret, the scheme the feature server uses and @jambonz/node-client's
// `WebhookResponse.verifyJambonzSignature` checks (300 s tolerance); ./signature.ts verifies it, with
// what was found in jambonz's code.
import { ProviderError, ProviderUnavailableError, ValidationError } from '../../errors';
import { providerHttp } from '../http';
import type { Application, Carrier, JambonzPlatform, PhoneNumber, SipGateway, Webhook } from './port';

export interface JambonzSettings {
  /** The API root including /v1, e.g. https://jambonz.example.com/v1, or the emulator's. */
  baseUrl: string;
  apiKey: string;
  accountSid: string;
  /** Application that controls calls created without hooks or an application of their own. */
  applicationSid?: string;
  /**
   * What a call with per-call hooks runs on. jambonz (`validateCreateCall`) refuses a call without an
   * `application_sid` unless it names all five; with an application it takes the application's.
   */
  speech?: JambonzSpeech;
  timeoutMs?: number;
}

export interface JambonzSpeech {
  synthesisVendor: string;
  synthesisLanguage: string;
  synthesisVoice: string;
  recognizerVendor: string;
  recognizerLanguage: string;
}

type Row = Record<string, unknown>;
const E164 = /^\+[1-9]\d{1,14}$/;

export function jambonzAdapter(s: JambonzSettings): JambonzPlatform {
  const http = providerHttp({
    provider: 'jambonz',
    baseUrl: s.baseUrl,
    headers: () => ({ authorization: `Bearer ${s.apiKey}` }),
    timeoutMs: s.timeoutMs,
  });

  async function create(operation: string, path: string, json: object): Promise<{ sid: string }> {
    const { body } = await http.request<unknown>(operation, { method: 'POST', path, json, idempotent: false });
    if (!isRow(body) || typeof body.sid !== 'string') throw unexpected(operation);
    return { sid: body.sid };
  }
  async function list<T>(operation: string, path: string, map: (r: Row) => T, query?: Record<string, string>) {
    const { body } = await http.request<unknown>(operation, { method: 'GET', path, query });
    if (!Array.isArray(body)) throw unexpected(operation);
    return body.filter(isRow).map(map);
  }
  async function remove(operation: string, path: string, sid: string): Promise<void> {
    await http.request(operation, { method: 'DELETE', path: `${path}/${encodeURIComponent(sid)}` });
  }

  return {
    async createCall(call) {
      if (!E164.test(call.to)) throw new ValidationError([{ path: 'to', message: 'must be an E.164 phone number' }]);
      // One or the other: with an application_sid jambonz replaces the call's hooks with the application's.
      let control: object;
      if (call.callHook) {
        if (!s.speech) throw new Error('jambonz createCall: per-call hooks need the JAMBONZ_SPEECH_* settings, which are unset');
        control = { call_hook: hook(call.callHook), call_status_hook: hook(call.callStatusHook), ...speechFields(s.speech) };
      } else {
        const applicationSid = call.applicationSid ?? s.applicationSid;
        if (!applicationSid) throw new Error('jambonz createCall: no hooks or application given and JAMBONZ_APPLICATION_SID is unset');
        control = { application_sid: applicationSid };
      }
      try {
        return await create('create call', `/Accounts/${encodeURIComponent(s.accountSid)}/Calls`, {
          from: call.from,
          to: { type: 'phone', number: call.to },
          ...control,
          tag: call.tag,
        });
      } catch (err) {
        // 480: no feature server free at the moment; nothing was dialled, so it is an outage, not a refusal.
        if (err instanceof ProviderError && err.providerStatus === 480) {
          throw new ProviderUnavailableError('jambonz', 'create call', { providerStatus: 480, cause: 'no available feature servers' });
        }
        throw err;
      }
    },

    listPhoneNumbers: () => list('list phone numbers', '/PhoneNumbers', phoneNumber),
    createPhoneNumber: (input) =>
      create('create phone number', '/PhoneNumbers', {
        account_sid: s.accountSid,
        number: input.number,
        voip_carrier_sid: input.carrierSid,
        application_sid: input.applicationSid,
      }),
    deletePhoneNumber: (sid) => remove('delete phone number', '/PhoneNumbers', sid),

    listApplications: () => list('list applications', '/Applications', application),
    createApplication: (input) =>
      create('create application', '/Applications', {
        account_sid: s.accountSid,
        name: input.name,
        call_hook: hook(input.callHook),
        call_status_hook: hook(input.callStatusHook),
      }),
    deleteApplication: (sid) => remove('delete application', '/Applications', sid),

    listCarriers: () => list('list carriers', '/VoipCarriers', carrier),
    createCarrier: (input) =>
      create('create carrier', '/VoipCarriers', {
        account_sid: s.accountSid,
        name: input.name,
        description: input.description,
        application_sid: input.applicationSid,
        e164_leading_plus: input.e164LeadingPlus ?? false,
        requires_register: input.registration !== undefined,
        register_username: input.registration?.username,
        register_sip_realm: input.registration?.sipRealm,
        register_password: input.registration?.password,
      }),
    deleteCarrier: (sid) => remove('delete carrier', '/VoipCarriers', sid),

    listSipGateways: (carrierSid) => list('list SIP gateways', '/SipGateways', sipGateway, { voip_carrier_sid: carrierSid }),
    createSipGateway: (input) =>
      create('create SIP gateway', '/SipGateways', {
        voip_carrier_sid: input.carrierSid,
        ipv4: input.address,
        port: input.port ?? 5060,
        inbound: input.inbound ?? true,
        outbound: input.outbound ?? true,
      }),
    deleteSipGateway: (sid) => remove('delete SIP gateway', '/SipGateways', sid),
  };
}

const hook = (w: Webhook) => ({ url: w.url, method: w.method ?? 'POST', username: w.username, password: w.password });
const speechFields = (v: JambonzSpeech) => ({
  speech_synthesis_vendor: v.synthesisVendor,
  speech_synthesis_language: v.synthesisLanguage,
  speech_synthesis_voice: v.synthesisVoice,
  speech_recognizer_vendor: v.recognizerVendor,
  speech_recognizer_language: v.recognizerLanguage,
});

function isRow(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const unexpected = (operation: string) =>
  new ProviderUnavailableError('jambonz', operation, { cause: 'unexpected answer from jambonz' });
// MySQL behind jambonz answers NULL for unset columns and 0/1 for booleans.
const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const opt = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const bool = (v: unknown) => v === true || v === 1 || v === '1';
// jambonz strips the "+" when it stores a number.
const e164 = (n: unknown) => (str(n).startsWith('+') ? str(n) : `+${str(n)}`);

function webhook(v: unknown): Webhook | undefined {
  if (!isRow(v) || typeof v.url !== 'string') return undefined;
  return {
    url: v.url,
    method: str(v.method).toUpperCase() === 'GET' ? 'GET' : 'POST',
    username: opt(v.username),
    password: opt(v.password),
  };
}

const phoneNumber = (r: Row): PhoneNumber => ({
  sid: str(r.phone_number_sid),
  number: e164(r.number),
  carrierSid: str(r.voip_carrier_sid),
  applicationSid: opt(r.application_sid),
});

const application = (r: Row): Application => ({
  sid: str(r.application_sid),
  name: str(r.name),
  callHook: webhook(r.call_hook),
  callStatusHook: webhook(r.call_status_hook),
});

const carrier = (r: Row): Carrier => ({
  sid: str(r.voip_carrier_sid),
  name: str(r.name),
  description: opt(r.description),
  e164LeadingPlus: bool(r.e164_leading_plus),
  registration: bool(r.requires_register) ? { username: str(r.register_username), sipRealm: str(r.register_sip_realm) } : undefined,
  applicationSid: opt(r.application_sid),
});

const sipGateway = (r: Row): SipGateway => ({
  sid: str(r.sip_gateway_sid),
  carrierSid: str(r.voip_carrier_sid),
  address: str(r.ipv4),
  port: Number(r.port) || 5060,
  inbound: bool(r.inbound),
  outbound: bool(r.outbound),
});
