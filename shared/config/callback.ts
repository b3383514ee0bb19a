// The marketing site's test callback: which provider places the calls, and per locale the caller ID
// (E.164) the callee sees and, for Vapi, the callback assistant and the Vapi phone number that carries
// that caller ID; for jambonz, the Vapi SIP URI its call hook dials to reach the locale's assistant (a
// Vapi phone number of provider `vapi` with that `sipUri` and the callback assistant attached).
// Switching provider is configuration only (CALLBACK_PROVIDER). Off the local stack every locale's
// caller ID must be set, the Vapi ids when the provider is Vapi and the SIP URIs when it is jambonz;
// locally the defaults name what the emulators seed (CALLBACK_LOCAL).
import { defineConfig, matching, nonEmpty, oneOf, optional, refuse, uuid, type Variable } from './define';

export const CALLBACK_PROVIDERS = ['vapi', 'fonial', 'jambonz'] as const;
export type CallbackProvider = (typeof CALLBACK_PROVIDERS)[number];

export const CALLBACK_LOCALES = ['de', 'en', 'tr', 'ar', 'el'] as const;
export type CallbackLocale = (typeof CALLBACK_LOCALES)[number];

const upper = (l: CallbackLocale) => l.toUpperCase();
/** The variables, by what they hold (lib/settings.ts hands them to the function on AWS). */
export const CALLBACK_ENV = {
  provider: 'CALLBACK_PROVIDER',
  callerIds: CALLBACK_LOCALES.map((l) => `CALLBACK_CALLER_ID_${upper(l)}`),
  assistants: CALLBACK_LOCALES.map((l) => `CALLBACK_ASSISTANT_${upper(l)}`),
  vapiPhoneNumbers: CALLBACK_LOCALES.map((l) => `CALLBACK_VAPI_PHONE_NUMBER_${upper(l)}`),
  vapiSipUris: CALLBACK_LOCALES.map((l) => `CALLBACK_VAPI_SIP_URI_${upper(l)}`),
  jambonzApplication: 'CALLBACK_JAMBONZ_APPLICATION_SID',
} as const;

/**
 * What the local stack's emulators seed for the callback (lib/local/emulators/vapi and jambonz import
 * it): per locale a Vapi assistant and a Vapi phone number with the locale's caller ID (from the 030
 * 23125 block, reserved for fiction), the SIP URI the jambonz call hook dials for the locale's assistant
 * (the jambonz emulator records the dial; nothing is reached), and a jambonz application for the
 * callback calls.
 */
export const CALLBACK_LOCAL = {
  callerIds: { de: '+4930231250020', en: '+4930231250021', tr: '+4930231250022', ar: '+4930231250023', el: '+4930231250024' },
  assistantIds: Object.fromEntries(CALLBACK_LOCALES.map((l) => [l, `callback-assistant-${l}`])) as Record<CallbackLocale, string>,
  vapiPhoneNumberIds: Object.fromEntries(CALLBACK_LOCALES.map((l) => [l, `callback-number-${l}`])) as Record<CallbackLocale, string>,
  vapiSipUris: Object.fromEntries(CALLBACK_LOCALES.map((l) => [l, `sip:fonella-callback-${l}@sip.vapi.ai`])) as Record<CallbackLocale, string>,
  jambonzApplicationSid: '6c1a7b0e-2d3f-4e5a-8b9c-0d1e2f3a4b5c',
} as const satisfies { callerIds: Record<CallbackLocale, string> } & Record<string, unknown>;

// The kinds of this section's variables.
const E164 = /* @__PURE__ */ matching(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number');
const optionalId = /* @__PURE__ */ optional(nonEmpty);
/** `sip:user@host[:port]`, as Vapi's SIP phone numbers are addressed (`sip:<name>@sip.vapi.ai`), at most 256 characters. */
const optionalSipUri = /* @__PURE__ */ optional(matching(/^(?=.{1,256}$)sips?:[^\s@;<>"]+@[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be a SIP URI like sip:name@sip.vapi.ai'));
/** One variable per locale, all of one kind. */
const perLocale = <T>(names: readonly string[], kind: Variable<T>) => Object.fromEntries(names.map((k) => [k, kind])) as Record<string, Variable<T>>;
const byLocale = <T>(pick: (l: CallbackLocale, i: number) => T) =>
  Object.fromEntries(CALLBACK_LOCALES.map((l, i) => [l, pick(l, i)])) as Record<CallbackLocale, T>;

export const callbackConfig = /* @__PURE__ */ defineConfig(
  'callback',
  {
    CALLBACK_PROVIDER: oneOf(CALLBACK_PROVIDERS),
    ...perLocale(CALLBACK_ENV.callerIds, E164),
    ...perLocale([...CALLBACK_ENV.assistants, ...CALLBACK_ENV.vapiPhoneNumbers], optionalId),
    ...perLocale(CALLBACK_ENV.vapiSipUris, optionalSipUri),
    CALLBACK_JAMBONZ_APPLICATION_SID: optional(uuid),
  },
  (e) => {
    const env = e as Record<string, string | undefined>;
    const provider = e.CALLBACK_PROVIDER;
    const needed = provider === 'vapi' ? [...CALLBACK_ENV.assistants, ...CALLBACK_ENV.vapiPhoneNumbers] : provider === 'jambonz' ? CALLBACK_ENV.vapiSipUris : [];
    const missing = needed.filter((k) => env[k] === undefined);
    if (missing.length > 0) refuse(`CALLBACK_PROVIDER=${provider} needs ${missing.join(', ')}`);
    return {
      provider,
      callerIds: byLocale((_, i) => env[CALLBACK_ENV.callerIds[i]!]!),
      assistantIds: byLocale((_, i) => env[CALLBACK_ENV.assistants[i]!] ?? ''),
      vapiPhoneNumberIds: byLocale((_, i) => env[CALLBACK_ENV.vapiPhoneNumbers[i]!] ?? ''),
      vapiSipUris: byLocale((_, i) => env[CALLBACK_ENV.vapiSipUris[i]!] ?? ''),
      jambonzApplicationSid: e.CALLBACK_JAMBONZ_APPLICATION_SID,
    };
  },
  {
    CALLBACK_PROVIDER: 'vapi',
    ...Object.fromEntries(CALLBACK_LOCALES.map((l, i) => [CALLBACK_ENV.callerIds[i]!, CALLBACK_LOCAL.callerIds[l]])),
    ...Object.fromEntries(CALLBACK_LOCALES.map((l, i) => [CALLBACK_ENV.assistants[i]!, CALLBACK_LOCAL.assistantIds[l]])),
    ...Object.fromEntries(CALLBACK_LOCALES.map((l, i) => [CALLBACK_ENV.vapiPhoneNumbers[i]!, CALLBACK_LOCAL.vapiPhoneNumberIds[l]])),
    ...Object.fromEntries(CALLBACK_LOCALES.map((l, i) => [CALLBACK_ENV.vapiSipUris[i]!, CALLBACK_LOCAL.vapiSipUris[l]])),
    CALLBACK_JAMBONZ_APPLICATION_SID: CALLBACK_LOCAL.jambonzApplicationSid,
  },
);
export type CallbackConfig = ReturnType<typeof callbackConfig>;

/**
 * What the jambonz callback application's call hook reads: per locale the Vapi SIP URI of the callback
 * assistant, or '' where none is set (that call hears a short message instead). Its own section, so the
 * hook starts whichever provider CALLBACK_PROVIDER names now (a call placed before a switch still
 * reaches its hook); callbackConfig requires the URIs where jambonz places the calls.
 */
export const callbackSipConfig = /* @__PURE__ */ defineConfig(
  'callback assistants over SIP',
  perLocale(CALLBACK_ENV.vapiSipUris, optionalSipUri),
  (e) => byLocale((_, i) => e[CALLBACK_ENV.vapiSipUris[i]!] ?? ''),
  Object.fromEntries(CALLBACK_LOCALES.map((l, i) => [CALLBACK_ENV.vapiSipUris[i]!, CALLBACK_LOCAL.vapiSipUris[l]])),
);
