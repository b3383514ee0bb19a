// The marketing site's test callback: which provider places the calls, and per locale the caller ID
// (E.164) the callee sees and, for Vapi, the callback assistant and the Vapi phone number that carries
// that caller ID. Switching provider is configuration only (CALLBACK_PROVIDER). Off the local stack
// every locale's caller ID must be set, and the Vapi ids when the provider is Vapi; locally the
// defaults name what the emulators seed (CALLBACK_LOCAL).
import * as z from '../zod';
import { defineConfig } from './define';

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
  jambonzApplication: 'CALLBACK_JAMBONZ_APPLICATION_SID',
} as const;

/**
 * What the local stack's emulators seed for the callback (lib/local/emulators/vapi and jambonz import
 * it): per locale a Vapi assistant and a Vapi phone number with the locale's caller ID (from the 030
 * 23125 block, reserved for fiction), and a jambonz application for the callback calls.
 */
export const CALLBACK_LOCAL = {
  callerIds: { de: '+4930231250020', en: '+4930231250021', tr: '+4930231250022', ar: '+4930231250023', el: '+4930231250024' },
  assistantIds: Object.fromEntries(CALLBACK_LOCALES.map((l) => [l, `callback-assistant-${l}`])) as Record<CallbackLocale, string>,
  vapiPhoneNumberIds: Object.fromEntries(CALLBACK_LOCALES.map((l) => [l, `callback-number-${l}`])) as Record<CallbackLocale, string>,
  jambonzApplicationSid: '6c1a7b0e-2d3f-4e5a-8b9c-0d1e2f3a4b5c',
} as const satisfies { callerIds: Record<CallbackLocale, string> } & Record<string, unknown>;

const E164 = z.string().check(z.regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number'));
const optionalId = z.optional(z.string().check(z.minLength(1)));
const byLocale = <T>(pick: (l: CallbackLocale, i: number) => T) =>
  Object.fromEntries(CALLBACK_LOCALES.map((l, i) => [l, pick(l, i)])) as Record<CallbackLocale, T>;

export const callbackConfig = defineConfig(
  'callback',
  z.pipe(
    z.object({
      CALLBACK_PROVIDER: z.enum(CALLBACK_PROVIDERS),
      ...Object.fromEntries(CALLBACK_ENV.callerIds.map((k) => [k, E164])),
      ...Object.fromEntries([...CALLBACK_ENV.assistants, ...CALLBACK_ENV.vapiPhoneNumbers].map((k) => [k, optionalId])),
      CALLBACK_JAMBONZ_APPLICATION_SID: z.optional(z.uuid()),
    }),
    z.transform((e, ctx) => {
      const env = e as Record<string, string | undefined>;
      const provider = e.CALLBACK_PROVIDER;
      if (provider === 'vapi') {
        const missing = [...CALLBACK_ENV.assistants, ...CALLBACK_ENV.vapiPhoneNumbers].filter((k) => env[k] === undefined);
        if (missing.length > 0) {
          ctx.issues.push({ code: 'custom', message: `CALLBACK_PROVIDER=vapi needs ${missing.join(', ')}`, input: e });
          return z.NEVER;
        }
      }
      return {
        provider,
        callerIds: byLocale((_, i) => env[CALLBACK_ENV.callerIds[i]!]!),
        assistantIds: byLocale((_, i) => env[CALLBACK_ENV.assistants[i]!] ?? ''),
        vapiPhoneNumberIds: byLocale((_, i) => env[CALLBACK_ENV.vapiPhoneNumbers[i]!] ?? ''),
        jambonzApplicationSid: e.CALLBACK_JAMBONZ_APPLICATION_SID,
      };
    }),
  ),
  {
    CALLBACK_PROVIDER: 'vapi',
    ...Object.fromEntries(CALLBACK_LOCALES.map((l, i) => [CALLBACK_ENV.callerIds[i]!, CALLBACK_LOCAL.callerIds[l]])),
    ...Object.fromEntries(CALLBACK_LOCALES.map((l, i) => [CALLBACK_ENV.assistants[i]!, CALLBACK_LOCAL.assistantIds[l]])),
    ...Object.fromEntries(CALLBACK_LOCALES.map((l, i) => [CALLBACK_ENV.vapiPhoneNumbers[i]!, CALLBACK_LOCAL.vapiPhoneNumberIds[l]])),
    CALLBACK_JAMBONZ_APPLICATION_SID: CALLBACK_LOCAL.jambonzApplicationSid,
  },
);
export type CallbackConfig = ReturnType<typeof callbackConfig>;
