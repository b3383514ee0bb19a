// The `tool-calls` server message as Vapi sends it while a call runs and the model called function
// tools (the SDK's ServerMessageToolCalls, @vapi-ai/server-sdk 2.x): `toolCallList` (each call's id,
// `type: "function"` and `function: { name, arguments }`, the arguments as JSON text),
// `toolWithToolCallList` (each tool's own definition with its call), and the call, the assistant (its
// server headers left out: the secret travels in the request's headers), the customer and the phone
// number. Vapi posts it to the tool's server URL, else the assistant's, with that server's headers,
// and waits its `timeoutSeconds` (20 by default) for `{ results: [{ toolCallId, name, result | error }] }`.
// Tool calls that go to the same server with the same headers travel in one message.
import { randomUUID } from 'node:crypto';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);

export interface SimulatedToolCall {
  name: string;
  /** The arguments the model gives; default: an example value built from the tool's parameters. */
  arguments?: Obj;
}

/** Where a message goes: a server's URL, its headers and how long Vapi waits. */
export interface ToolCallTarget {
  url: string;
  headers: Record<string, string>;
  timeoutSeconds: number;
}

export interface ToolCallsMessage {
  target: ToolCallTarget;
  toolCallIds: string[];
  body: { message: Obj };
}

const DEFAULT_TIMEOUT_SECONDS = 20;

/** A value that fits a JSON Schema of Vapi's subset: the first enum value, an example string, 1, true... */
export function exampleOf(schema: unknown, depth = 0): unknown {
  const s = obj(schema) ?? {};
  if (depth > 6) return null;
  switch (s.type) {
    case 'object': {
      const properties = obj(s.properties) ?? {};
      return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, exampleOf(v, depth + 1)]));
    }
    case 'array':
      return [exampleOf(s.items, depth + 1)];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'string': {
      if (Array.isArray(s.enum) && typeof s.enum[0] === 'string') return s.enum[0];
      const formats: Record<string, string> = {
        date: new Date().toISOString().slice(0, 10),
        'date-time': new Date().toISOString(),
        time: '10:00:00',
        email: 'caller@example.com',
        uuid: randomUUID(),
      };
      return formats[String(s.format)] ?? 'example';
    }
    default:
      return null;
  }
}

const headersOf = (server: Obj | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(server?.headers) ?? {})) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
};

/** What the assistant holds, without its secrets (as Vapi echoes it in a message). */
function publicAssistant(assistant: Obj): Obj {
  const strip = (server: unknown) => {
    const s = obj(server);
    if (!s) return server;
    const { headers: _secret, ...rest } = s;
    return rest;
  };
  const model = obj(assistant.model);
  const tools = Array.isArray(model?.tools) ? model.tools.map((t) => ({ ...obj(t), server: strip(obj(t)?.server) })) : undefined;
  return { ...assistant, server: strip(assistant.server), ...(model ? { model: { ...model, ...(tools ? { tools } : {}) } } : {}) };
}

/**
 * The messages Vapi posts for `calls` during the call `call` of `assistant`: one per server the
 * tools name (a tool without a server, or a name the assistant has no tool of, goes to the
 * assistant's). Undefined for a call with nowhere to go.
 */
export function toolCallsMessages(input: { assistant: Obj; call: Obj; phoneNumber?: Obj; calls: SimulatedToolCall[] }): ToolCallsMessage[] | { nowhere: string } {
  const assistant = input.assistant;
  const tools = (obj(assistant.model)?.tools as unknown[] | undefined) ?? [];
  const groups = new Map<string, { target: ToolCallTarget; items: { toolCall: Obj; tool: Obj }[] }>();
  for (const c of input.calls) {
    const tool = tools.map(obj).find((t) => obj(t?.function)?.name === c.name) ?? { type: 'function', function: { name: c.name } };
    const server = obj(tool.server)?.url ? obj(tool.server) : obj(assistant.server);
    const url = server?.url;
    if (typeof url !== 'string') return { nowhere: c.name };
    const target = { url, headers: headersOf(server), timeoutSeconds: Number(server?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) };
    const key = JSON.stringify(target);
    const args = c.arguments ?? (exampleOf(obj(tool.function)?.parameters ?? { type: 'object', properties: {} }) as Obj);
    const toolCall = { id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(args) } };
    const group = groups.get(key) ?? { target, items: [] };
    group.items.push({ toolCall, tool });
    groups.set(key, group);
  }
  const customer = obj(input.call.customer);
  const shown = publicAssistant(assistant);
  return [...groups.values()].map(({ target, items }) => ({
    target,
    toolCallIds: items.map((i) => String(i.toolCall.id)),
    body: {
      message: {
        timestamp: Date.now(),
        type: 'tool-calls',
        toolCallList: items.map((i) => i.toolCall),
        toolWithToolCallList: items.map((i) => {
          const { server, ...rest } = i.tool;
          const { headers: _secret, ...publicServer } = obj(server) ?? {};
          return { ...rest, ...(server ? { server: publicServer } : {}), toolCall: i.toolCall };
        }),
        artifact: { messages: [], messagesOpenAIFormatted: [] },
        call: input.call,
        assistant: shown,
        ...(customer ? { customer } : {}),
        ...(input.phoneNumber ? { phoneNumber: input.phoneNumber } : {}),
      },
    },
  }));
}
