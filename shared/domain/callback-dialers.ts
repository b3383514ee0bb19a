// The one port the callback use case calls, and its three adapters over the existing provider ports.
// Which one a function uses is configuration (CALLBACK_PROVIDER), chosen in the handler.
//   vapi:    POST /call with the locale's assistant and the Vapi phone number of its caller ID; the
//            variables go to `assistantOverrides.variableValues`.
//   fonial:  a click-to-call: fonial rings the configured device, then the number. fonial takes no
//            caller ID (the device's own number shows) and no variables (they are stored on the row
//            only), and answers no call id.
//   jambonz: a call from the caller ID under the callback application (or the account's default);
//            the request's id, the locale and variables go in the call's `tag`, which jambonz hands
//            to every webhook of the call (`customerData`): the application's hooks find the request
//            by it (./callback-calls.ts) and connect the locale's assistant.
import type { CallbackLocale, CallbackProvider } from '../config/callback';
import type { FonialPhoneSystem } from '../providers/fonial/port';
import type { JambonzPlatform } from '../providers/jambonz/port';
import type { VoiceAssistants } from '../providers/vapi/port';

export interface CallbackCall {
  /** The callback request the call is for (its row's id). */
  requestId: string;
  /** E.164. */
  to: string;
  /** E.164: the number the callee sees. */
  callerId: string;
  locale: CallbackLocale;
  /** The Vapi assistant that talks (Vapi only). */
  assistantId: string;
  /** The form's text, each value marked as caller-provided and quoted (callbackVariables in ./callback.ts). */
  variables: Record<string, string>;
}

export interface CallbackDialer {
  readonly provider: CallbackProvider;
  /** Places the call; the provider's call id when it gives one. Throws a ProviderError when refused. */
  placeCallback(call: CallbackCall): Promise<{ callId?: string }>;
}

export function vapiCallbackDialer(vapi: VoiceAssistants, phoneNumberIds: Record<CallbackLocale, string>): CallbackDialer {
  return {
    provider: 'vapi',
    async placeCallback(call) {
      const { id } = await vapi.placeCall({
        assistantId: call.assistantId,
        phoneNumberId: phoneNumberIds[call.locale],
        to: call.to,
        variables: { ...call.variables, locale: call.locale },
      });
      return { callId: id };
    },
  };
}

export function fonialCallbackDialer(fonial: FonialPhoneSystem): CallbackDialer {
  return {
    provider: 'fonial',
    async placeCallback(call) {
      await fonial.placeCallback({ target: call.to });
      return {};
    },
  };
}

export function jambonzCallbackDialer(jambonz: JambonzPlatform, applicationSid: string | undefined): CallbackDialer {
  return {
    provider: 'jambonz',
    async placeCallback(call) {
      const { sid } = await jambonz.createCall({
        ...(applicationSid ? { applicationSid } : {}),
        from: call.callerId,
        to: call.to,
        tag: { ...call.variables, purpose: 'callback', requestId: call.requestId, locale: call.locale },
      });
      return { callId: sid };
    },
  };
}
