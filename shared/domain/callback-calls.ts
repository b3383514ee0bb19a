// The test callback's call through jambonz (CALLBACK_PROVIDER=jambonz), as jambonz runs it after the
// route placed it (./callback.ts, ./callback-dialers.ts) under the callback application, whose hooks
// are ours: POST /v1/webhooks/jambonz/callback/call and …/status.
//
// How the assistant is reached: jambonz posts the call hook once the callee answers, and we answer a
// `dial` to the Vapi SIP URI of the locale's callback assistant (CALLBACK_VAPI_SIP_URI_<LOCALE>: a Vapi
// phone number of provider `vapi` with that `sipUri` and the callback assistant attached), which jambonz
// bridges to the callee. Vapi fills an assistant's `{{name}}` template variables from the INVITE's
// `X-<name>` headers (names matched without regard to case), so the dial's `headers` carry what the
// Vapi provider puts in `variableValues`: the form's text, each marked as caller-provided and
// JSON-quoted (callbackVariables: no raw line breaks or control characters can reach a header), and
// the locale. Why this way: it is the path both platforms document (jambonz's `dial` to a `sip` target,
// Vapi's SIP numbers with X-header variables), needs no media stream of our own (jambonz's `llm`/
// `listen` verbs would make us carry the audio between them) and no assistant-request round trip from
// Vapi, and the assistant, its prompt and its voice stay the ones the Vapi provider uses. The callee's
// number goes as the dial's caller ID, so the assistant's `customer` is the person it talks to.
//
// Which request: the tag (jambonz's `customerData`, handed to every hook of the call) carries the
// request's id; the row must be a jambonz request whose call is this one (or not yet known: jambonz
// may be quicker than the route's markPlaced). The locale and the variables come from the row, not
// from the tag: the hook trusts no more of the payload than the id it checks.
//
// - call hook, the callee answered: `dial` the assistant (its actionHook is this hook, relative to the
//   application's, as jambonz resolves it); an unknown, foreign or already finished request, or a
//   locale without a SIP URI: a short message and `hangup`;
// - call hook as the dial's actionHook (`dial_call_status` set): the assistant talked and the call is
//   over → `hangup`; the assistant could not be reached → a short message and `hangup`;
// - status hook: the caller's leg's ringing, in-progress and outcome (completed with its duration,
//   no-answer, busy, failed) on the row, only forward (a repeated or late event changes nothing); the
//   assistant's leg (`parent_call_sid`) and jambonz's other statuses are acknowledged and not stored.
import type { CallbackLocale } from '../config/callback';
import { CALLBACK_CALL_STATUSES, isCallOutcome, type CallbackCallStatus, type CallbackRow, type CallbacksRepository } from '../db/callbacks';
import { logger } from '../observability/logger';
import { callbackVariables } from './callback';
import type { JambonzCallInfo, Verb } from './hotline-calls';

export interface CallbackCallDeps {
  callbacks: Pick<CallbacksRepository, 'get'>;
  /** Per locale the Vapi SIP URI of the callback assistant ('' where none is configured). */
  sipUris: Record<CallbackLocale, string>;
}

export interface CallbackStatusDeps {
  callbacks: Pick<CallbacksRepository, 'recordCallStatus'>;
  now?: () => Date;
}

/** A hook's payload: jambonz's call information with the call's tag. */
export type CallbackCallInfo = JambonzCallInfo & { customerData?: Record<string, unknown> };

/** The call hook's path: the dial's actionHook, relative to the application's call hook as jambonz resolves it. */
export const CALLBACK_CALL_HOOK_PATH = '/v1/webhooks/jambonz/callback/call';
/** The longest a test callback's assistant talks before jambonz ends the call (the dial's timeLimit). */
export const CALLBACK_TIME_LIMIT_SECONDS = 900;

export const CALLBACK_GONE_TEXT = 'This test call is no longer available. Goodbye.';
export const CALLBACK_UNAVAILABLE_TEXT = 'Our assistant cannot take the call right now. Please request a new test call later. Goodbye.';

/** A request id as the route makes them: a UUID, or 32 hex digits from an Idempotency-Key. */
const REQUEST_ID = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

const say = (text: string): Verb => ({ verb: 'say', text });
const hangup = (): Verb => ({ verb: 'hangup' });

/** The request id the call's tag names, if it is one. */
function requestIdOf(call: CallbackCallInfo): string | undefined {
  const id = call.customerData?.requestId;
  return typeof id === 'string' && REQUEST_ID.test(id) ? id : undefined;
}

/** The row of the jambonz request this call is for, or undefined. */
async function requestOf(deps: CallbackCallDeps, call: CallbackCallInfo): Promise<CallbackRow | undefined> {
  const id = requestIdOf(call);
  const row = id === undefined ? undefined : await deps.callbacks.get(id);
  if (!row || row.provider !== 'jambonz') return undefined;
  if (row.providerCallId !== undefined && row.providerCallId !== call.call_sid) return undefined;
  return row;
}

/** The SIP headers that fill the assistant's variables: X-<name> for the form's text and the locale. */
export function assistantHeaders(row: Pick<CallbackRow, 'locale' | 'company' | 'preferredWindow' | 'notes'>): Record<string, string> {
  const variables: Record<string, string> = { ...callbackVariables(row), locale: row.locale };
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [`X-${name}`, value]));
}

/** POST /v1/webhooks/jambonz/callback/call: the verbs for this moment of the callback's call. */
export async function answerCallbackCall(deps: CallbackCallDeps, call: CallbackCallInfo): Promise<Verb[]> {
  const row = await requestOf(deps, call);
  if (!row || row.status === 'failed' || isCallOutcome(row.callStatus)) {
    logger.warn('callback call hook for no open callback request', { callSid: call.call_sid, known: row !== undefined });
    return [say(CALLBACK_GONE_TEXT), hangup()];
  }
  // The dial's action: the assistant's leg is over.
  if (call.dial_call_status !== undefined) {
    if (call.dial_call_status === 'completed' || call.dial_call_status === 'answered') return [hangup()];
    logger.warn('callback assistant not reached', { requestId: row.requestId, locale: row.locale, dialCallStatus: call.dial_call_status });
    return [say(CALLBACK_UNAVAILABLE_TEXT), hangup()];
  }
  const sipUri = deps.sipUris[row.locale];
  if (!sipUri) {
    logger.warn('no Vapi SIP URI for the callback locale', { requestId: row.requestId, locale: row.locale });
    return [say(CALLBACK_UNAVAILABLE_TEXT), hangup()];
  }
  logger.info('callback call answered: connecting the assistant', { requestId: row.requestId, locale: row.locale });
  return [
    {
      verb: 'dial',
      callerId: row.phoneNumber,
      target: [{ type: 'sip', sipUri }],
      headers: assistantHeaders(row),
      timeLimit: CALLBACK_TIME_LIMIT_SECONDS,
      actionHook: CALLBACK_CALL_HOOK_PATH,
    },
  ];
}

/** POST /v1/webhooks/jambonz/callback/status: the caller's leg's progress onto the request's row. */
export async function recordCallbackCallStatus(deps: CallbackStatusDeps, event: CallbackCallInfo): Promise<void> {
  if (event.parent_call_sid) return;
  const status = event.call_status;
  if (!(CALLBACK_CALL_STATUSES as readonly (string | undefined)[]).includes(status)) return;
  const requestId = requestIdOf(event);
  if (requestId === undefined) {
    logger.warn('callback call status without a request id', { callSid: event.call_sid, callStatus: status });
    return;
  }
  const at = (deps.now?.() ?? new Date()).toISOString();
  const durationSeconds = typeof event.duration === 'number' ? Math.round(event.duration) : undefined;
  const recorded = await deps.callbacks.recordCallStatus(requestId, {
    callSid: event.call_sid,
    status: status as CallbackCallStatus,
    at,
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
  });
  logger.info('callback call status', { requestId, callStatus: status, recorded, ...(durationSeconds !== undefined ? { durationSeconds } : {}) });
}
