// The customer's custom tools: functions the assistant calls during live calls, answered by the
// customer's own endpoint through Fonella's Vapi webhook. The portal's token, or a developer API key
// with the `tools:manage` scope. Each route acts on the token's `sub` only: another account's
// tool is answered as a missing one.
// Entries follow the rules in ./index.ts.
import type { RouteDef } from '../../shared/http/route-def';
import { Tool, ToolCreated, ToolInput, ToolList, ToolPath } from '../../shared/schemas/tools';

const NOT_FOUND = { status: 404, slugs: ['not-found'], description: "`not-found`: no tool of the caller has this id (another account's is answered the same way)." };
const URL_REFUSED = {
  status: 400,
  slugs: ['tool-url-refused'],
  description:
    '`tool-url-refused`: the URL is not `https`, carries a user name or password, or its host is not on the public internet (a private, loopback, link-local, shared, multicast or reserved address, an internal or single-label name, a name resolving to such an address or not resolving). `errors` names `body.url`. Nothing was changed.',
};
const NAME_TAKEN = { status: 409, slugs: ['tool-name-taken'], description: '`tool-name-taken`: another tool of the caller has this name. Nothing was changed.' };
const NO_ASSISTANT = {
  status: 409,
  slugs: ['assistant-missing'],
  description: '`assistant-missing`: the caller has no assistant yet (`PUT /v1/me/assistant` creates it); tools are attached to it. Nothing was changed.',
};
const BUSY = { status: 409, slugs: ['assistant-busy'], description: '`assistant-busy`: another request is changing the caller\'s assistant right now. Nothing was changed; retry in a moment.' };

export const createTool = {
  name: 'createTool',
  method: 'POST',
  path: '/v1/me/tools',
  handler: 'functions/me/create-tool.ts',
  access: 'user',
  apiKeyScopes: ['tools:manage'],
  summary: 'Add a custom tool to the assistant',
  description:
    "The tool is attached to the caller's assistant at Vapi at once (its calls go to Fonella's webhook, never straight to the URL); should Vapi or the table fail, nothing is attached. The signing secret (`whsec_...`) is answered this once. During a call, when the model calls the tool, Fonella POSTs to the tool's URL the JSON `{type: \"tool.call\", timestamp, data: {toolCallId, toolId, name, arguments, call: {id, callerNumber}}}`, signed by the Standard Webhooks scheme with the tool's own secret: `webhook-id` (the tool call's id), `webhook-timestamp`, `webhook-signature` (`v1,<base64 HMAC-SHA256 of \"id.timestamp.body\">`). A 2xx answer within the tool's timeout is the result the model reads, as its text (at most 8 KB); a timeout, another status, a larger answer or an unreachable URL becomes an error the assistant can tell the caller about (and the `failed` message is said, if the tool has one). The URL is checked again at every call (a public address; redirects are not followed).",
  tags: ['tools'],
  request: { body: ToolInput, maxBodyBytes: 49_152 },
  response: { status: 201, body: ToolCreated, description: 'The tool, attached, with its signing secret (shown this once).' },
  errors: [
    URL_REFUSED,
    NO_ASSISTANT,
    NAME_TAKEN,
    { status: 409, slugs: ['quota-tools'], description: "`quota-tools`: the caller has as many tools as an account may (the stage's limit, 20 by default); delete one first. Nothing was changed." },
    BUSY,
  ],
  uses: { table: 'write', providers: ['vapi'], signingKey: 'encrypt' },
} satisfies RouteDef;

export const listTools = {
  name: 'listTools',
  method: 'GET',
  path: '/v1/me/tools',
  handler: 'functions/me/list-tools.ts',
  access: 'user',
  apiKeyScopes: ['tools:manage'],
  summary: "The caller's custom tools",
  description: 'Every tool attached to the caller\'s assistant, oldest first; secrets only masked.',
  tags: ['tools'],
  response: { status: 200, body: ToolList, description: 'The tools.' },
  uses: { table: 'read' },
} satisfies RouteDef;

export const getTool = {
  name: 'getTool',
  method: 'GET',
  path: '/v1/me/tools/{toolId}',
  handler: 'functions/me/get-tool.ts',
  access: 'user',
  apiKeyScopes: ['tools:manage'],
  summary: 'One custom tool',
  description: "The tool by its id, as the model sees it and where its calls go; its secret only masked. Another account's tool is answered as if it did not exist.",
  tags: ['tools'],
  request: { params: ToolPath },
  response: { status: 200, body: Tool, description: 'The tool; its secret only masked.' },
  errors: [NOT_FOUND],
  uses: { table: 'read' },
} satisfies RouteDef;

export const updateTool = {
  name: 'updateTool',
  method: 'PUT',
  path: '/v1/me/tools/{toolId}',
  handler: 'functions/me/update-tool.ts',
  access: 'user',
  apiKeyScopes: ['tools:manage'],
  summary: 'Replace a custom tool',
  description:
    "Every field as in the creation (what the body leaves out takes its default); the id and the signing secret stay. The assistant at Vapi gets the changed tool at once; should Vapi or the table fail, the tool stays as it was.",
  tags: ['tools'],
  request: { params: ToolPath, body: ToolInput, maxBodyBytes: 49_152 },
  response: { status: 200, body: Tool, description: 'The tool as stored.' },
  errors: [URL_REFUSED, NOT_FOUND, NO_ASSISTANT, NAME_TAKEN, BUSY],
  uses: { table: 'write', providers: ['vapi'] },
} satisfies RouteDef;

export const deleteTool = {
  name: 'deleteTool',
  method: 'DELETE',
  path: '/v1/me/tools/{toolId}',
  handler: 'functions/me/delete-tool.ts',
  access: 'user',
  apiKeyScopes: ['tools:manage'],
  summary: 'Remove a custom tool',
  description: "The tool is detached from the assistant at Vapi and deleted; should Vapi or the table fail, it stays attached. Its past calls stay on the calls they were made in.",
  tags: ['tools'],
  request: { params: ToolPath },
  response: { status: 204, description: 'Removed.' },
  errors: [NOT_FOUND, NO_ASSISTANT, BUSY],
  uses: { table: 'write', providers: ['vapi'] },
} satisfies RouteDef;
