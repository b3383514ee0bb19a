// Vapi through its official SDK (assistants, phone numbers, calls) and plain fetch for SIP trunk
// credentials, which the SDK has no typed method for. `baseUrl` selects the real API or the emulator.
import { VapiClient, type Vapi } from '@vapi-ai/server-sdk';
import { ProviderRejectedError } from '../../errors';
import { DEFAULT_TIMEOUT_MS, callProvider, providerHttp } from '../http';
import type { AssistantChanges, FunctionToolSpec, PhoneNumberRef, VoiceAssistants, WebhookTarget } from './port';

export interface VapiSettings {
  apiKey: string;
  /** https://api.vapi.ai, or the emulator's base URL. */
  baseUrl: string;
  timeoutMs?: number;
}

const MODEL = 'gpt-4o';
// Vapi caps assistant names at 40 characters and rejects longer ones.
const MAX_NAME = 40;
const SERVER_MESSAGES: Vapi.CreateAssistantDtoServerMessagesItem[] = ['end-of-call-report', 'status-update', 'hang'];
/** When a slow tool's "delayed" message is said. */
const TOOL_DELAYED_AFTER_MS = 2000;

export function vapiAdapter(settings: VapiSettings): VoiceAssistants {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Retries stay with callProvider, which knows which calls are idempotent; the SDK's own timeout is
  // a backstop behind ours so that a slow answer surfaces as our typed error.
  const client = new VapiClient({
    token: settings.apiKey,
    baseUrl: settings.baseUrl,
    maxRetries: 0,
    timeoutInSeconds: Math.ceil(timeoutMs / 1000) + 1,
  });
  const http = providerHttp({
    provider: 'vapi',
    baseUrl: settings.baseUrl,
    headers: () => ({ authorization: `Bearer ${settings.apiKey}` }),
    timeoutMs,
  });

  const sdk = <T>(operation: string, idempotent: boolean, fn: (o: { abortSignal: AbortSignal }) => Promise<T>) =>
    callProvider('vapi', operation, (abortSignal) => fn({ abortSignal }), { timeoutMs, idempotent });

  return {
    async createAssistant(spec) {
      const res = await sdk('create assistant', false, (o) =>
        client.assistants.create(
          {
            ...assistantFields({ ...spec, tools: [] }),
            serverMessages: SERVER_MESSAGES,
            metadata: { fonellaUserId: spec.userId },
          },
          o,
        ),
      );
      return { id: res.id };
    },

    async updateAssistant(id, changes) {
      await sdk('update assistant', true, (o) => client.assistants.update({ id, ...assistantFields(changes) }, o));
    },

    async deleteAssistant(id) {
      await sdk('delete assistant', true, (o) => client.assistants.delete({ id }, o));
    },

    async createProviderNumber(input) {
      const res = await sdk('create phone number', false, (o) =>
        client.phoneNumbers.create(
          { provider: 'vapi', name: input.name, numberDesiredAreaCode: input.areaCode, assistantId: input.assistantId },
          o,
        ),
      );
      return phoneNumberRef(res, 'vapi');
    },

    async createSipNumber(input) {
      const res = await sdk('create phone number', false, (o) =>
        client.phoneNumbers.create(
          {
            provider: 'byo-phone-number',
            number: input.number,
            credentialId: input.credentialId,
            // Numbers on a SIP trunk are dialled as the trunk expects, not necessarily in strict E.164.
            numberE164CheckEnabled: false,
            name: input.name,
            assistantId: input.assistantId,
          },
          o,
        ),
      );
      return phoneNumberRef(res, 'byo-phone-number');
    },

    async attachAssistant(phoneNumber, assistantId) {
      // The update body is a union keyed by provider, so the number's provider travels with it.
      await sdk('attach assistant', true, (o) =>
        client.phoneNumbers.update({ id: phoneNumber.id, body: { provider: phoneNumber.provider, assistantId } }, o),
      );
    },

    async deletePhoneNumber(id) {
      await sdk('delete phone number', true, (o) => client.phoneNumbers.delete({ id }, o));
    },

    async deleteCall(id) {
      await sdk('delete call', true, (o) => client.calls.delete({ id }, o));
    },

    async createSipTrunk(spec) {
      const body: Vapi.CreateByoSipTrunkCredentialDto & { provider: 'byo-sip-trunk' } = {
        provider: 'byo-sip-trunk',
        name: spec.name,
        gateways: spec.gateways.map((g) => ({ ip: g.ip, port: g.port, inboundEnabled: g.inboundEnabled })),
        outboundAuthenticationPlan: { authUsername: spec.auth.username, authPassword: spec.auth.password },
      };
      const res = await http.request<{ id: string }>('create sip trunk', { method: 'POST', path: '/credential', json: body });
      return { id: res.body.id, username: spec.auth.username };
    },

    async deleteSipTrunk(id) {
      await http.request('delete sip trunk', { method: 'DELETE', path: `/credential/${encodeURIComponent(id)}` });
    },

    async placeCall(spec) {
      const res = await sdk('create call', false, (o) =>
        client.calls.create(
          {
            assistantId: spec.assistantId,
            phoneNumberId: spec.phoneNumberId,
            customer: { number: spec.to },
            assistantOverrides: spec.variables ? { variableValues: spec.variables } : undefined,
          },
          o,
        ),
      );
      // One customer gives one call; a batch answer would mean Vapi read the request differently.
      if (!('id' in res)) throw new ProviderRejectedError('vapi', 'create call');
      return { id: res.id, status: res.status ?? 'queued' };
    },
  };
}

/** The assistant fields a spec or a change set touches; absent inputs leave Vapi's values alone. */
function assistantFields(c: AssistantChanges): Omit<Vapi.UpdateAssistantDto, 'id'> & { model?: Vapi.OpenAiModel } {
  const speech = c.speech;
  return {
    name: c.name?.slice(0, MAX_NAME),
    firstMessage: c.greeting,
    // Vapi's DTOs are unions keyed by provider; the configured provider names one of them.
    transcriber: speech && (speech.transcriber as Vapi.UpdateAssistantDto['transcriber']),
    voice: speech && (speech.voice as Vapi.UpdateAssistantDto['voice']),
    // The tools are transient ones of the model (not Vapi tool resources): the whole list goes with
    // every change, in the one request that changes the assistant (an empty list too: it removes the
    // last tool), so Vapi holds the old list or the new one and no tool resource can be left behind.
    model: c.systemPrompt === undefined
      ? undefined
      : { provider: 'openai', model: MODEL, messages: [{ role: 'system', content: c.systemPrompt }], tools: c.tools.map(functionTool) },
    server: c.server && server(c.server),
  };
}

const server = (s: WebhookTarget): Vapi.Server => ({ url: s.url, headers: { 'X-Vapi-Secret': s.secret }, timeoutSeconds: s.timeoutSeconds ?? 20 });

function functionTool(tool: FunctionToolSpec): Vapi.OpenAiModelToolsItem {
  const contents = (texts: Partial<Record<string, string>> | undefined) =>
    Object.entries(texts ?? {}).flatMap(([language, text]) => (text ? [{ type: 'text' as const, language: language as Vapi.TextContentLanguage, text }] : []));
  const messages: Vapi.CreateFunctionToolDtoMessagesItem[] = [];
  const start = contents(tool.messages.start);
  if (start.length) messages.push({ type: 'request-start', contents: start });
  const delayed = contents(tool.messages.delayed);
  if (delayed.length) messages.push({ type: 'request-response-delayed', timingMilliseconds: TOOL_DELAYED_AFTER_MS, contents: delayed });
  const failed = contents(tool.messages.failed);
  if (failed.length) messages.push({ type: 'request-failed', contents: failed });
  return {
    type: 'function',
    async: false,
    function: { name: tool.name, description: tool.description, parameters: tool.parameters as unknown as Vapi.OpenAiFunctionParameters },
    server: server(tool.server),
    ...(messages.length ? { messages } : {}),
  };
}

function phoneNumberRef(
  res: { id: string; number?: string; assistantId?: string },
  provider: PhoneNumberRef['provider'],
): PhoneNumberRef {
  return { id: res.id, provider, number: res.number, assistantId: res.assistantId };
}
