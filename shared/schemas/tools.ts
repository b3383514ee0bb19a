// Schemas of the caller's custom tools (/v1/me/tools...) and of a `tool-calls` message on our Vapi
// webhook and its answer (the tool calls a call shows are in ./calls.ts).
import * as z from '../zod';
import { ASSISTANT_LANGUAGES } from '../config/assistant';
import { TOOL_TIMEOUT_LIMITS } from '../config/tools';
import { TOOL_PARAMETERS_MAX_BYTES, TOOL_PARAMETERS_MAX_DEPTH, TOOL_PARAMETERS_MAX_PROPERTIES, parameterProblems } from '../model/tool-parameters';
import { isoDateTime, line } from './common';

/** The function name the model calls: Vapi's rule for a function tool's name. */
export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** One message in each language; `text` is the one schema of every language's text (it holds no description of its own). */
const spoken = (what: string, text: z.ZodMiniOptional<ReturnType<typeof line>>) =>
  z.optional(
    z
      .strictObject(Object.fromEntries(ASSISTANT_LANGUAGES.map((l) => [l, text])) as Record<(typeof ASSISTANT_LANGUAGES)[number], typeof text>)
      .register(z.globalRegistry, { description: `${what}, per language of the assistant (${ASSISTANT_LANGUAGES.join(', ')}); a language left out hears the first one given, translated.` }),
  );

export const ToolMessages = /* @__PURE__ */ z.defineSchema(() => {
  const text = z.optional(line(500));
  return z
    .strictObject({
      start: spoken('Said as the tool is called ("One moment, I am looking at the calendar.")', text),
      delayed: spoken('Said when the tool has not answered after 2 seconds', text),
      failed: spoken("Said when the tool fails (a timeout, an error, no answer); without it the model speaks about the error itself", text),
    })
    .register(z.globalRegistry, { id: 'ToolMessages', description: 'What the assistant says while the tool runs; every message optional.' });
});

/** The parameters as given: a JSON object, checked against Vapi's subset of JSON Schema. */
const Parameters = /* @__PURE__ */ z.defineSchema(() => z
  .record(z.string(), z.unknown())
  .check(
    z.superRefine((value, ctx) => {
      for (const p of parameterProblems(value)) ctx.addIssue({ code: 'custom', input: value, path: p.path, message: p.message });
    }),
  )
  .register(z.globalRegistry, {
    // Its keys are `type`, `properties` and `required`; its size is bounded by the check (8 KB as JSON).
    additionalProperties: true,
    maxProperties: 3,
    description: `The function's arguments as a JSON Schema object: \`{ "type": "object", "properties": { ... }, "required": [ ... ] }\`, each property of type string, number, integer, boolean, array (with \`items\`) or object (with \`properties\`), with only \`description\`, \`title\`, \`enum\` (strings), \`pattern\`, \`format\` and \`required\` besides: the subset Vapi's function tools accept. At most ${TOOL_PARAMETERS_MAX_BYTES} bytes as JSON, ${TOOL_PARAMETERS_MAX_DEPTH} levels deep, ${TOOL_PARAMETERS_MAX_PROPERTIES} properties per object. Left out: a function without arguments.`,
    examples: [{ type: 'object', properties: { date: { type: 'string', format: 'date', description: 'The day the caller asks about.' } }, required: ['date'] }],
  }));

export const ToolInput = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    name: z.string().check(z.minLength(1), z.maxLength(64), z.regex(TOOL_NAME, 'Must be 1 to 64 letters, digits, underscores or dashes.')).register(z.globalRegistry, {
      description: 'The function name the model sees and calls; unique among the caller\'s tools.',
      examples: ['check_calendar'],
    }),
    description: line(1000).register(z.globalRegistry, {
      description: 'What the tool does and when to use it: the model reads it to decide when to call the tool.',
      examples: ['Finds free appointment slots on a given day.'],
    }),
    parameters: z.optional(Parameters),
    url: z.string().check(z.minLength(1), z.maxLength(2048)).register(z.globalRegistry, {
      description:
        "The caller's endpoint: `https` on a public host (no private, loopback, link-local, shared or reserved address, as written and as resolved), without a user name or password. Checked now and at every call; redirects are not followed.",
      format: 'uri',
      examples: ['https://calendar.example.com/fonella/free-slots'],
    }),
    timeoutSeconds: z.optional(
      z.int().check(z.minimum(TOOL_TIMEOUT_LIMITS.min), z.maximum(TOOL_TIMEOUT_LIMITS.max)).register(z.globalRegistry, {
        description: "How long a call waits for the endpoint's answer before the assistant hears that the tool failed, in seconds: 1 to 20, within the stage's bounds (by default all of them); left out: the stage's default (5 seconds).",
      }),
    ),
    messages: z.optional(ToolMessages),
  })
  .register(z.globalRegistry, { id: 'ToolInput', description: 'A custom tool: what the model sees (name, description, parameters) and where its calls go.' }));

/** The fields of a tool as answered (a function: each schema built where it is used). */
const toolFields = () => ({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  url: z.string(),
  timeoutSeconds: z.int(),
  messages: ToolMessages,
  secretHint: z.string().register(z.globalRegistry, { description: 'The signing secret, masked: `whsec_…` and its last four characters.' }),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

export const Tool = /* @__PURE__ */ z.defineReply(() => z.object(toolFields()).register(z.globalRegistry, { id: 'Tool', description: 'A custom tool, attached to the caller\'s assistant.' }));

export const ToolCreated = /* @__PURE__ */ z.defineReply(() => z
  .object({
    ...toolFields(),
    secret: z.string().register(z.globalRegistry, {
      description: 'The signing secret (`whsec_...`) of the requests Fonella sends to the tool\'s URL (Standard Webhooks): shown this once.',
    }),
  })
  .register(z.globalRegistry, { id: 'ToolCreated' }));

export const ToolList = /* @__PURE__ */ z.defineReply(() => z.object({ items: z.array(Tool) }).register(z.globalRegistry, { id: 'ToolList' }));

export const ToolPath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  toolId: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/, 'Must be a tool id.')),
}));

/** Each tool call's result as Vapi takes it (the SDK's ToolCallResult): `result` or `error`. */
export const VapiToolResult = /* @__PURE__ */ z.defineReply(() => z
  .object({
    toolCallId: z.string(),
    name: z.string(),
    result: z.optional(z.string()),
    error: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: 'VapiToolResult' }));

export const VapiAnswer = /* @__PURE__ */ z.defineReply(() => z
  .object({ results: z.optional(z.array(VapiToolResult)) })
  .register(z.globalRegistry, {
    id: 'VapiAnswer',
    description: 'Received: `{}`, or for a `tool-calls` message one result per tool call (the SDK\'s ServerMessageResponseToolCalls).',
  }));

/** One tool call in a `tool-calls` message (the SDK's ToolCall; `arguments` is JSON text, or an object as Vapi also sends it). */
const vapiToolCall = () => z.looseObject({
  id: z.string().check(z.minLength(1), z.maxLength(200)),
  function: z.looseObject({
    name: z.string().check(z.maxLength(200)),
    arguments: z.optional(z.nullable(z.union([z.string(), z.record(z.string(), z.unknown())]))),
  }),
});

/**
 * What a `tool-calls` message must carry to be answered (the SDK's ServerMessageToolCalls): the tool
 * calls (`toolCallList`, else each `toolWithToolCallList[].toolCall`) and the call they belong to.
 * Built at the first such message: most of Vapi's messages are of other types.
 */
export const ToolCallsMessage = /* @__PURE__ */ z.deferSchema(() => {
  const toolCall = vapiToolCall();
  return z.looseObject({
    type: z.literal('tool-calls'),
    toolCallList: z.optional(z.nullable(z.array(toolCall))),
    toolWithToolCallList: z.optional(z.nullable(z.array(z.looseObject({ toolCall: z.optional(z.nullable(toolCall)) })))),
    call: z.optional(
      z.nullable(
        z.looseObject({
          id: z.optional(z.nullable(z.string().check(z.maxLength(200)))),
          assistantId: z.optional(z.nullable(z.string())),
          customer: z.optional(z.nullable(z.looseObject({ number: z.optional(z.nullable(z.string())) }))),
        }),
      ),
    ),
    customer: z.optional(z.nullable(z.looseObject({ number: z.optional(z.nullable(z.string())) }))),
  });
});
