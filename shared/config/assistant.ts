// The customer's voice assistant: per language, the speech-to-text and the voice Vapi uses and the
// system prompt the model starts from; and Vapi's BYO SIP trunk credential for Fonella's Sipgate trunk,
// which every pool number is bound to. ASSISTANT_SPEECH_JSON may replace the speech settings of any
// language per stage (same shape as DEFAULT_SPEECH); VAPI_POOL_CREDENTIAL_ID must be set off the
// local stack, where it names the credential the Vapi emulator seeds (ASSISTANT_LOCAL).
import * as z from '../zod';
import { defineConfig, json, nonEmpty, optional } from './define';

export const ASSISTANT_LANGUAGES = ['de', 'en', 'tr', 'ar', 'el'] as const;
export type AssistantLanguage = (typeof ASSISTANT_LANGUAGES)[number];

/** What a new assistant says first when its PUT names no greeting, per language. */
export const DEFAULT_GREETINGS: Record<AssistantLanguage, string> = {
  de: 'Guten Tag, Sie sprechen mit dem digitalen Assistenten. Wie kann ich Ihnen helfen?',
  en: "Hello, you're speaking with the digital assistant. How can I help you?",
  tr: 'Merhaba, dijital asistanla konuşuyorsunuz. Size nasıl yardımcı olabilirim?',
  ar: 'مرحباً، أنت تتحدث مع المساعد الرقمي. كيف يمكنني مساعدتك؟',
  el: 'Γεια σας, μιλάτε με τον ψηφιακό βοηθό. Πώς μπορώ να σας βοηθήσω;',
};

/** The assistant's language when its first PUT names none and the settings' email language is not one of them. */
export const DEFAULT_ASSISTANT_LANGUAGE: AssistantLanguage = 'de';

/** One language's speech settings, as ASSISTANT_SPEECH_JSON gives them (built when that variable is read). */
const speechSchema = () => {
  const text = z.string().check(z.minLength(1));
  return z.object({
    transcriber: z.object({ provider: text, language: text }),
    voice: z.object({ provider: text, voiceId: text }),
  });
};
export type SpeechSettings = z.infer<ReturnType<typeof speechSchema>>;

// Azure covers all five languages for both speech-to-text and voices (Deepgram has no Arabic).
const azure = (locale: string, voiceId: string): SpeechSettings => ({
  transcriber: { provider: 'azure', language: locale },
  voice: { provider: 'azure', voiceId },
});
const DEFAULT_SPEECH: Record<AssistantLanguage, SpeechSettings> = {
  de: azure('de-DE', 'de-DE-KatjaNeural'),
  en: azure('en-GB', 'en-GB-SoniaNeural'),
  tr: azure('tr-TR', 'tr-TR-EmelNeural'),
  ar: azure('ar-SA', 'ar-SA-ZariyahNeural'),
  el: azure('el-GR', 'el-GR-AthinaNeural'),
};

const PROMPTS: Record<AssistantLanguage, string> = {
  de: 'Du bist die freundliche Telefonassistenz eines kleinen Unternehmens. Nimm Anrufe entgegen, beantworte einfache Fragen, notiere Name, Rückrufnummer und Anliegen und sage zu, dass sich das Team meldet. Sprich Deutsch.',
  en: 'You are the friendly phone assistant of a small business. Answer calls, handle simple questions, note the caller\'s name, call-back number and request, and promise that the team will get back to them. Speak English.',
  tr: 'Küçük bir işletmenin güler yüzlü telefon asistanısın. Aramaları yanıtla, basit soruları cevapla, arayanın adını, geri arama numarasını ve talebini not al ve ekibin geri döneceğini söyle. Türkçe konuş.',
  ar: 'أنت المساعد الهاتفي الودود لشركة صغيرة. أجب على المكالمات، وأجب عن الأسئلة البسيطة، وسجّل اسم المتصل ورقم معاودة الاتصال وطلبه، وأخبره أن الفريق سيتواصل معه. تحدث بالعربية.',
  el: 'Είσαι ο φιλικός τηλεφωνικός βοηθός μιας μικρής επιχείρησης. Απάντα στις κλήσεις, απάντα σε απλές ερωτήσεις, σημείωσε όνομα, αριθμό επανάκλησης και αίτημα του καλούντος και υποσχέσου ότι η ομάδα θα επικοινωνήσει. Μίλα ελληνικά.',
};

/** What the local stack's Vapi emulator seeds: the shared trunk's credential, under this id. */
export const ASSISTANT_LOCAL = { poolCredentialId: 'fonella-pool-trunk' } as const;

export const assistantConfig = /* @__PURE__ */ defineConfig(
  'assistant',
  {
    ASSISTANT_SPEECH_JSON: optional(json(() => z.partialRecord(z.enum(ASSISTANT_LANGUAGES), speechSchema()))),
    VAPI_POOL_CREDENTIAL_ID: nonEmpty,
  },
  (e) => ({ speech: { ...DEFAULT_SPEECH, ...e.ASSISTANT_SPEECH_JSON }, prompts: PROMPTS, poolCredentialId: e.VAPI_POOL_CREDENTIAL_ID }),
  { VAPI_POOL_CREDENTIAL_ID: ASSISTANT_LOCAL.poolCredentialId },
);
