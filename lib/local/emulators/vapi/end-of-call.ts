// The body Vapi POSTs to an assistant's server URL when a call has ended and its post-call analysis
// is done (`end-of-call-report`), as Vapi sends it: the report's own fields (analysis, artifact,
// times, ended reason, costs) plus Vapi's legacy top-level copies (summary, transcript, messages,
// recordingUrl), the call, the assistant, the phone number and the customer. The conversation is a
// fixed German small-business call (a caller asking for a callback), its timings scaled to the
// duration asked for; costs and token counts follow from it. Given the same input the body is the
// same apart from ids and times (and the URLs named after them). The assistant is echoed without its
// `server.headers` (the webhook secret travels in the request's headers, not in the body).
import { randomUUID } from 'node:crypto';

export interface EndOfCallInput {
  assistantId: string;
  /** Defaults to a fresh UUID. */
  callId?: string;
  /** The caller (E.164); defaults to a German mobile number. */
  customerNumber?: string;
  /** Call length; defaults to 94.3 s. Milliseconds beyond the third decimal are dropped. */
  durationSeconds?: number;
  /** When the call was answered; defaults to `durationSeconds` before now, so it ends now. */
  startedAt?: Date;
  /** `analysis.summary` (and the legacy top-level `summary`); defaults to a summary of the conversation. */
  summary?: string;
  /** The number that was called; `phoneNumber.id` wins when both are given. */
  phoneNumberId?: string;
  /** The assistant as Vapi stores it (name, firstMessage, model, voice, transcriber...). */
  assistant?: Record<string, unknown>;
  /** The phone number as Vapi stores it; sent as `message.phoneNumber`. */
  phoneNumber?: Record<string, unknown>;
  /** Vapi's org of the call; defaults to a fresh UUID. */
  orgId?: string;
  /** Defaults to `customer-ended-call`. */
  endedReason?: string;
}

const DEFAULT_CUSTOMER = '+4917612345678';
const DEFAULT_DURATION_SECONDS = 94.3;
const DEFAULT_GREETING = 'Guten Tag, Sie sind verbunden mit der Tischlerei Brandt. Hier spricht die digitale Assistentin. Wie kann ich Ihnen helfen?';
const DEFAULT_SYSTEM_PROMPT =
  'Du bist die freundliche Telefonassistenz eines kleinen Handwerksbetriebs. Nimm Anliegen auf, frage nach Name und Rückrufnummer und fasse am Ende kurz zusammen.';
const DEFAULT_MODEL = { provider: 'openai', model: 'gpt-4o' };
const DEFAULT_VOICE = { provider: 'azure', voiceId: 'de-DE-KatjaNeural' };
const DEFAULT_TRANSCRIBER = { provider: 'azure', language: 'de-DE' };

type Turn = { role: 'bot' | 'user'; text: string };

/** The whole conversation after the greeting; a call shorter than SHORT_CALL_SECONDS gets SHORT instead. */
const FULL: Turn[] = [
  { role: 'user', text: 'Ja, hallo, hier ist Weber. Ich hätte gern einen Termin, bei uns klemmt die Haustür und die Terrassentür schließt auch nicht mehr richtig.' },
  { role: 'bot', text: 'Das tut mir leid, Herr Weber. Ich nehme das gern auf. Seit wann besteht das Problem mit den Türen?' },
  { role: 'user', text: 'Seit etwa zwei Wochen. Die Haustür geht nur noch mit Kraft auf, die ist aus Holz, vermutlich verzogen.' },
  { role: 'bot', text: 'Verstanden. Unter welcher Adresse wäre der Einsatz, und wann passt es Ihnen am besten?' },
  { role: 'user', text: 'Lindenstraße 12 in Freiburg. Am liebsten nächste Woche vormittags, Dienstag oder Mittwoch.' },
  { role: 'bot', text: 'Danke. Ist diese Nummer die beste für einen Rückruf, oder sollen wir Sie woanders erreichen?' },
  { role: 'user', text: 'Ja, die Nummer passt, ich bin den ganzen Tag erreichbar.' },
  { role: 'bot', text: 'Wunderbar. Ich fasse zusammen: Haustür und Terrassentür klemmen, Lindenstraße 12 in Freiburg, Termin gewünscht nächste Woche Dienstag oder Mittwoch vormittags, Rückruf unter dieser Nummer. Ist das so richtig?' },
  { role: 'user', text: 'Ja, genau so. Was kostet denn so eine Anfahrt ungefähr?' },
  { role: 'bot', text: 'Dazu kann ich leider keine verbindliche Auskunft geben. Die Kosten nennen wir Ihnen beim Rückruf. Kann ich sonst noch etwas für Sie tun?' },
  { role: 'user', text: 'Nein, das war alles. Vielen Dank, tschüss.' },
  { role: 'bot', text: 'Sehr gern, Herr Weber. Wir melden uns bei Ihnen. Auf Wiederhören!' },
];
const SHORT: Turn[] = [
  { role: 'user', text: 'Hallo, hier ist Weber. Bitte rufen Sie mich zurück, es geht um eine klemmende Haustür.' },
  { role: 'bot', text: 'Gern, Herr Weber. Ich gebe das weiter, wir rufen Sie unter dieser Nummer zurück. Auf Wiederhören!' },
];
const SHORT_CALL_SECONDS = 30;
const defaultSummary = (short: boolean) =>
  short
    ? 'Herr Weber bittet um Rückruf wegen einer klemmenden Haustür.'
    : 'Herr Weber meldet, dass seine Haustür aus Holz und seine Terrassentür seit etwa zwei Wochen klemmen. Er wünscht einen Termin nächste Woche Dienstag oder Mittwoch vormittags in der Lindenstraße 12 in Freiburg und bittet um Rückruf unter der Anrufernummer; er fragte nach den Anfahrtskosten, die beim Rückruf genannt werden sollen.';

// USD prices per unit, of the order Vapi bills them.
const PRICE = {
  vapiPerMinute: 0.05,
  transportPerMinute: 0.008,
  sttPerMinute: 0.017,
  ttsPerCharacter: 0.000016,
  llmPerPromptToken: 0.0000025,
  llmPerCompletionToken: 0.00001,
  analysisPromptTokens: 1320,
  analysisCompletionTokens: 96,
};

const round = (n: number, digits = 6) => Number(n.toFixed(digits));
const tokens = (text: string) => Math.ceil(text.length / 4);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function endOfCallReport(input: EndOfCallInput): { message: Record<string, unknown> } {
  const callId = input.callId ?? randomUUID();
  const orgId = input.orgId ?? randomUUID();
  const customerNumber = input.customerNumber ?? DEFAULT_CUSTOMER;
  const durationMs = Math.max(1, Math.round((input.durationSeconds ?? DEFAULT_DURATION_SECONDS) * 1000));
  const durationSeconds = durationMs / 1000;
  const durationMinutes = round(durationSeconds / 60, 4);
  const startMs = input.startedAt?.getTime() ?? Date.now() - durationMs;
  const endMs = startMs + durationMs;
  const startedAt = new Date(startMs).toISOString();
  const endedAt = new Date(endMs).toISOString();
  // Vapi creates the call as the phone rings and posts the report once the analysis is done.
  const createdAt = new Date(startMs - 1830).toISOString();
  const reportedMs = endMs + 2410;
  const endedReason = input.endedReason ?? 'customer-ended-call';

  // The assistant as it ran: what was given, else Fonella's defaults; its credentials stay out.
  const given = input.assistant ?? {};
  const givenServer = obj(given.server);
  const { headers: _secret, ...server } = givenServer ?? {};
  const model: Record<string, unknown> = obj(given.model) ?? DEFAULT_MODEL;
  const voice = obj(given.voice) ?? DEFAULT_VOICE;
  const transcriber = obj(given.transcriber) ?? DEFAULT_TRANSCRIBER;
  const systemPrompt =
    str(obj((model.messages as unknown[] | undefined)?.find((m) => obj(m)?.role === 'system'))?.content) ?? DEFAULT_SYSTEM_PROMPT;
  const greeting = str(given.firstMessage) ?? DEFAULT_GREETING;
  const assistant: Record<string, unknown> = {
    name: 'Fonella Assistent',
    firstMessage: greeting,
    firstMessageMode: 'assistant-speaks-first',
    transcriber,
    voice,
    model: { ...model, messages: [{ role: 'system', content: systemPrompt }] },
    serverMessages: ['end-of-call-report', 'status-update', 'hang'],
    endCallFunctionEnabled: true,
    recordingEnabled: true,
    maxDurationSeconds: 600,
    silenceTimeoutSeconds: 30,
    backgroundSound: 'off',
    ...given,
    ...(givenServer ? { server } : {}),
    id: input.assistantId,
  };

  // The conversation, spread over the call: each turn gets a share of the time by its length.
  const short = durationSeconds < SHORT_CALL_SECONDS;
  const turns: Turn[] = [{ role: 'bot', text: greeting }, ...(short ? SHORT : FULL)];
  const lead = Math.min(0.62, durationSeconds / 10);
  const available = Math.max(0, durationSeconds - lead - Math.min(0.8, durationSeconds / 10));
  const weight = turns.reduce((n, t) => n + t.text.length + 40, 0);
  let at = lead;
  const spoken = turns.map((t) => {
    const share = (available * (t.text.length + 40)) / weight;
    const secondsFromStart = round(at, 3);
    const duration = Math.round(share * 850);
    at += share;
    const time = startMs + Math.round(secondsFromStart * 1000);
    return t.role === 'bot'
      ? { role: 'bot', message: t.text, time, endTime: time + duration, secondsFromStart, duration, source: '' }
      : { role: 'user', message: t.text, time, endTime: time + duration, secondsFromStart, duration };
  });
  const messages = [{ role: 'system', message: systemPrompt, time: startMs, secondsFromStart: 0 }, ...spoken];
  const messagesOpenAIFormatted = [
    { role: 'system', content: systemPrompt },
    ...turns.map((t) => ({ role: t.role === 'bot' ? 'assistant' : 'user', content: t.text })),
  ];
  const transcript = `${turns.map((t) => `${t.role === 'bot' ? 'AI' : 'User'}: ${t.text}`).join('\n')}\n`;
  const summary = input.summary ?? defaultSummary(short);

  // Usage and cost: one model request per reply after the greeting, over the conversation so far.
  let llmPromptTokens = 0;
  let llmCompletionTokens = 0;
  turns.forEach((t, i) => {
    if (t.role !== 'bot' || i === 0) return;
    llmPromptTokens += tokens(systemPrompt) + turns.slice(0, i).reduce((n, p) => n + tokens(p.text) + 4, 0);
    llmCompletionTokens += tokens(t.text);
  });
  const llmCachedPromptTokens = Math.floor(llmPromptTokens * 0.4 / 128) * 128;
  const ttsCharacters = turns.filter((t) => t.role === 'bot').reduce((n, t) => n + t.text.length, 0);
  const phoneProvider = str(input.phoneNumber?.provider) ?? 'vapi';
  const transportCost = phoneProvider === 'vapi' ? round(durationMinutes * PRICE.transportPerMinute) : 0;
  const sttCost = round(durationMinutes * PRICE.sttPerMinute);
  const llmCost = round(llmPromptTokens * PRICE.llmPerPromptToken + llmCompletionTokens * PRICE.llmPerCompletionToken);
  const ttsCost = round(ttsCharacters * PRICE.ttsPerCharacter);
  const vapiCost = round(durationMinutes * PRICE.vapiPerMinute);
  const summaryCost = round(PRICE.analysisPromptTokens * PRICE.llmPerPromptToken + PRICE.analysisCompletionTokens * PRICE.llmPerCompletionToken);
  const evaluationCost = round(summaryCost / 3);
  const analysisModel = { provider: 'openai', model: 'gpt-4o' };
  const cost = round(transportCost + sttCost + llmCost + ttsCost + vapiCost + summaryCost + evaluationCost, 4);
  const costBreakdown = {
    transport: transportCost,
    stt: sttCost,
    llm: llmCost,
    tts: ttsCost,
    vapi: vapiCost,
    chat: 0,
    total: cost,
    llmPromptTokens,
    llmCompletionTokens,
    llmCachedPromptTokens,
    ttsCharacters,
    knowledgeBaseCost: 0,
    voicemailDetectionCost: 0,
    analysisCostBreakdown: {
      summary: summaryCost,
      summaryPromptTokens: PRICE.analysisPromptTokens,
      summaryCompletionTokens: PRICE.analysisCompletionTokens,
      summaryCachedPromptTokens: 0,
      structuredData: 0,
      structuredDataPromptTokens: 0,
      structuredDataCompletionTokens: 0,
      structuredDataCachedPromptTokens: 0,
      successEvaluation: evaluationCost,
      successEvaluationPromptTokens: Math.round(PRICE.analysisPromptTokens / 3),
      successEvaluationCompletionTokens: 2,
      successEvaluationCachedPromptTokens: 0,
      structuredOutput: 0,
      structuredOutputPromptTokens: 0,
      structuredOutputCompletionTokens: 0,
      structuredOutputCachedPromptTokens: 0,
    },
  };
  const costs = [
    { type: 'transcriber', transcriber, minutes: durationMinutes, cost: sttCost },
    { type: 'model', model: { provider: model.provider, model: model.model }, promptTokens: llmPromptTokens, completionTokens: llmCompletionTokens, cachedPromptTokens: llmCachedPromptTokens, cost: llmCost },
    { type: 'voice', voice, characters: ttsCharacters, cost: ttsCost },
    { type: 'vapi', subType: 'normal', minutes: durationMinutes, cost: vapiCost },
    { type: 'transport', provider: phoneProvider === 'vapi' ? 'vapi' : 'byo-phone-number', minutes: durationMinutes, cost: transportCost },
    { type: 'analysis', analysisType: 'summary', model: analysisModel, promptTokens: PRICE.analysisPromptTokens, completionTokens: PRICE.analysisCompletionTokens, cost: summaryCost },
    { type: 'analysis', analysisType: 'successEvaluation', model: analysisModel, promptTokens: Math.round(PRICE.analysisPromptTokens / 3), completionTokens: 2, cost: evaluationCost },
  ];

  // Recordings: Vapi's storage names them after the call and the moment they were written.
  const file = `${callId}-${endMs}`;
  const recordingUrl = `https://storage.vapi.ai/${file}-mono.wav`;
  const stereoRecordingUrl = `https://storage.vapi.ai/${file}-stereo.wav`;
  const analysis = { summary, successEvaluation: 'true' };
  const customer = { number: customerNumber };
  const phoneNumberId = str(input.phoneNumber?.id) ?? input.phoneNumberId;
  const phoneNumber = input.phoneNumber ?? (phoneNumberId ? { id: phoneNumberId, orgId, provider: 'vapi', status: 'active' } : undefined);
  const botTurns = spoken.filter((m) => m.role === 'bot');
  const artifact = {
    messages,
    messagesOpenAIFormatted,
    transcript,
    recordingUrl,
    stereoRecordingUrl,
    recording: {
      stereoUrl: stereoRecordingUrl,
      mono: {
        combinedUrl: recordingUrl,
        assistantUrl: `https://storage.vapi.ai/${file}-mono-assistant.wav`,
        customerUrl: `https://storage.vapi.ai/${file}-mono-customer.wav`,
      },
    },
    logUrl: `https://calllogs.vapi.ai/${orgId}/${callId}/${endMs}-log.jsonl.gz`,
    pcapUrl: `https://storage.vapi.ai/${file}-sip.pcap`,
    nodes: [],
    transfers: [],
    variableValues: {
      customer,
      ...(phoneNumber ? { phoneNumber } : {}),
      now: new Date(startMs).toUTCString(),
      date: new Date(startMs).toISOString().slice(0, 10),
      time: new Date(startMs).toISOString().slice(11, 16),
      year: String(new Date(startMs).getUTCFullYear()),
    },
    performanceMetrics: {
      turnLatencies: botTurns.slice(1).map((m, i) => ({
        modelLatency: 410 + ((i * 37) % 90),
        voiceLatency: 190 + ((i * 23) % 60),
        transcriberLatency: 240 + ((i * 19) % 70),
        endpointingLatency: 300,
        turnLatency: 1140 + ((i * 79) % 220),
      })),
      modelLatencyAverage: 452,
      voiceLatencyAverage: 218,
      transcriberLatencyAverage: 276,
      endpointingLatencyAverage: 300,
      turnLatencyAverage: 1246,
      numUserInterrupted: 0,
      numAssistantInterrupted: 1,
    },
  };

  const call = {
    id: callId,
    orgId,
    createdAt,
    updatedAt: new Date(reportedMs).toISOString(),
    type: 'inboundPhoneCall',
    status: 'ended',
    assistantId: input.assistantId,
    ...(phoneNumberId ? { phoneNumberId } : {}),
    customer,
    startedAt,
    endedAt,
    endedReason,
    cost,
    costBreakdown,
    costs,
    messages,
    analysis,
    artifact,
    phoneCallProvider: phoneProvider === 'vapi' ? 'vapi' : 'byo',
    phoneCallTransport: phoneProvider === 'vapi' ? 'pstn' : 'sip',
    phoneCallProviderId: `${callId.replace(/-/g, '').slice(0, 24)}@sip.vapi.ai`,
    transport: { provider: phoneProvider === 'vapi' ? 'vapi.sip' : 'byo-sip-trunk', callSid: callId },
    monitor: {
      listenUrl: `wss://phone-call-websocket.aws-us-west-2-backend-production1.vapi.ai/${callId}/listen`,
      controlUrl: `https://phone-call-websocket.aws-us-west-2-backend-production1.vapi.ai/${callId}/control`,
    },
    artifactPlan: { recordingEnabled: true, recordingFormat: 'wav;l16', videoRecordingEnabled: false, pcapEnabled: true, transcriptPlan: { enabled: true, assistantName: 'AI', userName: 'User' } },
  };

  return {
    message: {
      timestamp: reportedMs,
      type: 'end-of-call-report',
      analysis,
      artifact,
      startedAt,
      endedAt,
      endedReason,
      cost,
      costBreakdown,
      costs,
      durationMs,
      durationSeconds,
      durationMinutes,
      // Vapi's earlier top-level copies, still sent alongside the artifact.
      summary,
      transcript,
      messages,
      recordingUrl,
      stereoRecordingUrl,
      call,
      assistant,
      ...(phoneNumber ? { phoneNumber } : {}),
      customer,
    },
  };
}
