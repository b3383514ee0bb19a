// Voice assistants, their phone numbers and outbound calls, in Fonella's terms (Vapi underneath).
// Everything returned is what we store: ids and the few fields we show, never a secret.

/** How the assistant hears and speaks: chosen per language by configuration (shared/config/assistant.ts). */
export interface SpeechSettings {
  transcriber: { provider: string; language: string };
  voice: { provider: string; voiceId: string };
}

/** Where the provider posts call events (end-of-call reports); our webhook checks the secret header. */
export interface WebhookTarget {
  url: string;
  secret: string;
  timeoutSeconds?: number;
}

/**
 * A custom tool as the assistant's model gets it: a function the model may call, whose calls Vapi
 * posts to `server` (our webhook, never the customer's URL) and waits `server.timeoutSeconds` for.
 */
export interface FunctionToolSpec {
  name: string;
  description: string;
  /** A JSON Schema object of the function's arguments. */
  parameters: Record<string, unknown>;
  server: WebhookTarget;
  /** What the assistant says as the tool starts, when it is slow, when it failed: text per language code. */
  messages: Partial<Record<'start' | 'delayed' | 'failed', Partial<Record<string, string>>>>;
}

export interface AssistantSpec {
  /** Our user id, stored on the assistant so webhook events can be traced back to the user. */
  userId: string;
  name: string;
  /** The first thing the assistant says when it answers. */
  greeting: string;
  speech: SpeechSettings;
  systemPrompt: string;
  server: WebhookTarget;
}

/**
 * What a change sets; absent fields keep their value. The prompt and the tools are one model at Vapi
 * (a change of either replaces both), so they travel together.
 */
export type AssistantChanges = Partial<Omit<AssistantSpec, 'userId' | 'systemPrompt'>> & ({ systemPrompt?: undefined } | { systemPrompt: string; tools: FunctionToolSpec[] });

export interface AssistantRef {
  id: string;
}

export type PhoneNumberProvider = 'vapi' | 'byo-phone-number';

export interface PhoneNumberRef {
  id: string;
  provider: PhoneNumberProvider;
  /** E.164; a provider-issued number may only have it once provisioned. */
  number?: string;
  assistantId?: string;
}

export interface SipGateway {
  ip: string;
  port?: number;
  inboundEnabled?: boolean;
}

export interface SipTrunkSpec {
  name?: string;
  gateways: SipGateway[];
  /** What the provider authenticates with when it sends calls out over the trunk. */
  auth: { username: string; password: string };
}

export interface SipTrunkRef {
  id: string;
  username: string;
}

export interface OutboundCallSpec {
  assistantId: string;
  phoneNumberId: string;
  /** The number to ring, E.164. */
  to: string;
  /** Fills `{{name}}` placeholders in the assistant's prompt and greeting for this call only. */
  variables?: Record<string, string | number | boolean>;
}

export interface OutboundCallRef {
  id: string;
  status: string;
}

export interface VoiceAssistants {
  createAssistant(spec: AssistantSpec): Promise<AssistantRef>;
  updateAssistant(id: string, changes: AssistantChanges): Promise<void>;
  deleteAssistant(id: string): Promise<void>;

  /** A number the provider issues itself. */
  createProviderNumber(input: { name?: string; areaCode?: string; assistantId?: string }): Promise<PhoneNumberRef>;
  /** One of our numbers, reached over a SIP trunk credential (see createSipTrunk). */
  createSipNumber(input: {
    number: string;
    credentialId: string;
    name?: string;
    assistantId?: string;
  }): Promise<PhoneNumberRef>;
  /** Routes the number's inbound calls to the assistant. */
  attachAssistant(phoneNumber: Pick<PhoneNumberRef, 'id' | 'provider'>, assistantId: string): Promise<void>;
  deletePhoneNumber(id: string): Promise<void>;

  createSipTrunk(spec: SipTrunkSpec): Promise<SipTrunkRef>;
  deleteSipTrunk(id: string): Promise<void>;

  placeCall(spec: OutboundCallSpec): Promise<OutboundCallRef>;
  /** Deletes a call's log (transcript, recording, summary) at the provider. */
  deleteCall(id: string): Promise<void>;
}
