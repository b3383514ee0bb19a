// Schemas of the Vapi webhook (POST /v1/webhooks/vapi) and of the caller's calls (GET /v1/me/calls...),
// with the custom tools called during a call.
import * as z from '../zod';
import { TOOL_CALL_OUTCOMES } from '../model/tool-calls';
import { isoDateTime, pageCursor, pageLimit } from './common';

/**
 * What Vapi posts to an assistant's server URL: `{ message: { type, ... } }`. Vapi's messages are large
 * and gain fields over time, so `message` takes any other field (the route reads what it needs and
 * stores nothing else); the envelope itself is strict, and the route's byte bound holds.
 */
export const VapiServerMessage = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    message: z
      .looseObject({
        type: z.string().check(z.minLength(1), z.maxLength(100)),
      })
      .register(z.globalRegistry, { additionalProperties: true, description: "Vapi's server message; `end-of-call-report` and `tool-calls` are acted on." }),
  })
  .register(z.globalRegistry, { id: 'VapiServerMessage' }));

/**
 * What an end-of-call report must carry for the call to be stored; everything else is optional. Built
 * at the first report: most of Vapi's messages are of other types.
 */
export const EndOfCallReport = /* @__PURE__ */ z.deferSchema(() => z.looseObject({
  type: z.literal('end-of-call-report'),
  // Optional here so that a report we cannot act on (no call, as in the provider's sample) is
  // acknowledged rather than refused: receiveVapiMessage logs what it lacks and stores nothing.
  call: z.optional(
    z.nullable(
      z.looseObject({
        id: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
        assistantId: z.optional(z.nullable(z.string())),
        customer: z.optional(z.nullable(z.looseObject({ number: z.optional(z.nullable(z.string())) }))),
      }),
    ),
  ),
  assistant: z.optional(z.nullable(z.looseObject({ id: z.optional(z.string()) }))),
  phoneNumber: z.optional(z.nullable(z.looseObject({ number: z.optional(z.nullable(z.string())) }))),
  startedAt: z.optional(z.nullable(z.string())),
  endedAt: z.optional(z.nullable(z.string())),
  durationSeconds: z.optional(z.nullable(z.number())),
  endedReason: z.optional(z.nullable(z.string())),
  summary: z.optional(z.nullable(z.string())),
  transcript: z.optional(z.nullable(z.string())),
  recordingUrl: z.optional(z.nullable(z.string())),
  cost: z.optional(z.nullable(z.number())),
  analysis: z.optional(z.nullable(z.looseObject({ summary: z.optional(z.nullable(z.string())) }))),
  artifact: z.optional(
    z.nullable(z.looseObject({ transcript: z.optional(z.nullable(z.string())), recordingUrl: z.optional(z.nullable(z.string())) })),
  ),
}));

/** The fields of a call as answered (a function: each schema built where it is used). */
const callShape = () => ({
  callId: z.string(),
  callerNumber: z.nullable(z.string()),
  startedAt: isoDateTime,
  endedAt: isoDateTime,
  durationSeconds: z.number(),
  endedReason: z.nullable(z.string()),
  summary: z.nullable(z.string()),
  transcript: z.nullable(z.string()),
  recordingUrl: z.nullable(z.string()),
  cost: z.nullable(z.number()),
});

export const Call = /* @__PURE__ */ z.defineReply(() => z
  .object(callShape())
  .register(z.globalRegistry, { id: 'Call' }));

export const CallListQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ limit: pageLimit(20), cursor: z.optional(pageCursor()) }));

export const CallPath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  callId: z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[A-Za-z0-9_-]+$/, 'Must be a call id.')),
}));

export const CallDeletion = /* @__PURE__ */ z.defineReply(() => z
  .object({
    callId: z.string(),
    status: z.literal('deleting').register(z.globalRegistry, {
      description: 'The call no longer shows; its data is being removed here and at Vapi, in the background.',
    }),
    requestedAt: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'CallDeletion' }));

export const CallPage = /* @__PURE__ */ z.defineReply(() => z
  .object({ items: z.array(Call), nextCursor: z.nullable(z.string()) })
  .register(z.globalRegistry, { id: 'CallPage' }));

export const ToolCallRecord = /* @__PURE__ */ z.defineReply(() => z
  .object({
    toolCallId: z.string(),
    name: z.string(),
    startedAt: isoDateTime,
    durationMs: z.int(),
    outcome: z.enum(TOOL_CALL_OUTCOMES),
    status: z.optional(z.int().register(z.globalRegistry, { description: "The HTTP status the tool's URL answered." })),
  })
  .register(z.globalRegistry, {
    id: 'ToolCallRecord',
    description:
      "A call of a custom tool during the call: which tool, when, how long it took and how it ended (`ok`: a 2xx answer; `timeout`; `http-error`: another status; `too-large`: an answer over 8 KB; `unreachable`: no connection; `refused`: the URL resolved to an address that is not public; `unknown-tool`: no tool of that name; `failed`: Fonella could not run it). The arguments and the answer are not kept.",
  }));

export const CallDetail = /* @__PURE__ */ z.defineReply(() => z
  .object({ ...callShape(), toolCalls: z.array(ToolCallRecord).register(z.globalRegistry, { description: 'The custom tools the assistant called during the call, oldest first.' }) })
  .register(z.globalRegistry, { id: 'CallDetail' }));
