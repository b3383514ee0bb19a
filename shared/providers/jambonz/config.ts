// The jambonz account Fonella acts as: API root (with /v1), API key, account sid, and what controls the
// calls we create: an application (JAMBONZ_APPLICATION_SID) for calls without hooks of their own, and
// for calls with per-call hooks the speech settings jambonz then requires (JAMBONZ_SPEECH_*: all five
// or none). Base URL, key and account must be set off the local stack.
import { defineConfig, nonEmpty, optional, refuse, url, uuid } from '../../config/define';

/** The local stack's key and account; the jambonz emulator accepts exactly these. */
export const JAMBONZ_LOCAL = { apiKey: 'local-jambonz-key', accountSid: '4a1c0de5-7d0e-4c4e-9f3a-0c11a5e0f0e1' } as const;

/** jambonz's create-call fields for a call without an application, by our variable names. */
export const JAMBONZ_SPEECH_ENV = {
  synthesisVendor: 'JAMBONZ_SPEECH_SYNTHESIS_VENDOR',
  synthesisLanguage: 'JAMBONZ_SPEECH_SYNTHESIS_LANGUAGE',
  synthesisVoice: 'JAMBONZ_SPEECH_SYNTHESIS_VOICE',
  recognizerVendor: 'JAMBONZ_SPEECH_RECOGNIZER_VENDOR',
  recognizerLanguage: 'JAMBONZ_SPEECH_RECOGNIZER_LANGUAGE',
} as const;
type SpeechKey = keyof typeof JAMBONZ_SPEECH_ENV;

const optionalText = /* @__PURE__ */ optional(nonEmpty);

export const jambonzConfig = /* @__PURE__ */ defineConfig(
  'jambonz',
  {
    JAMBONZ_BASE_URL: url,
    JAMBONZ_API_KEY: nonEmpty,
    JAMBONZ_ACCOUNT_SID: uuid,
    JAMBONZ_APPLICATION_SID: optional(uuid),
    JAMBONZ_SPEECH_SYNTHESIS_VENDOR: optionalText,
    JAMBONZ_SPEECH_SYNTHESIS_LANGUAGE: optionalText,
    JAMBONZ_SPEECH_SYNTHESIS_VOICE: optionalText,
    JAMBONZ_SPEECH_RECOGNIZER_VENDOR: optionalText,
    JAMBONZ_SPEECH_RECOGNIZER_LANGUAGE: optionalText,
  },
  (e) => {
    const keys = Object.keys(JAMBONZ_SPEECH_ENV) as SpeechKey[];
    const given = keys.filter((k) => e[JAMBONZ_SPEECH_ENV[k]] !== undefined);
    if (given.length > 0 && given.length < keys.length) {
      const missing = keys.filter((k) => !given.includes(k)).map((k) => JAMBONZ_SPEECH_ENV[k]);
      refuse(`set all five JAMBONZ_SPEECH_* variables or none; missing ${missing.join(', ')}`);
    }
    return {
      baseUrl: e.JAMBONZ_BASE_URL.replace(/\/+$/, ''),
      apiKey: e.JAMBONZ_API_KEY,
      accountSid: e.JAMBONZ_ACCOUNT_SID,
      applicationSid: e.JAMBONZ_APPLICATION_SID,
      speech: given.length === 0 ? undefined : (Object.fromEntries(keys.map((k) => [k, e[JAMBONZ_SPEECH_ENV[k]]])) as Record<SpeechKey, string>),
    };
  },
  {
    JAMBONZ_BASE_URL: 'http://127.0.0.1:4006/v1',
    JAMBONZ_API_KEY: JAMBONZ_LOCAL.apiKey,
    JAMBONZ_ACCOUNT_SID: JAMBONZ_LOCAL.accountSid,
    // Any non-empty values do for the emulator; these name a real vendor's German voice.
    JAMBONZ_SPEECH_SYNTHESIS_VENDOR: 'google',
    JAMBONZ_SPEECH_SYNTHESIS_LANGUAGE: 'de-DE',
    JAMBONZ_SPEECH_SYNTHESIS_VOICE: 'de-DE-Standard-A',
    JAMBONZ_SPEECH_RECOGNIZER_VENDOR: 'google',
    JAMBONZ_SPEECH_RECOGNIZER_LANGUAGE: 'de-DE',
  },
);
