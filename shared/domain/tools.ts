// Custom tools (/v1/me/tools...): functions the customer's assistant may call during a live call, each
// answered by the customer's own HTTPS endpoint through our Vapi webhook (./tool-calls.ts).
//
// createTool / updateTool / deleteTool — each one change of the assistant at Vapi under its change
// claim (./assistant-change.ts):
//   1. the input's checks the schema cannot make: the timeout within the stage's bounds, the URL
//      `https` on a public host (as written and by every address it resolves to; 400
//      tool-url-refused);
//   2. claim the change; read the tools (consistent); refuse a name another tool has (409
//      tool-name-taken), a tool over the stage's limit (409 quota-tools), an unknown id (404);
//   3. (create) a new signing secret, sealed with the signing key (KMS) for the table;
//   4. Vapi's assistant gets the whole list (its model's tools, each pointing at our webhook);
//   5. the tool's row and the assistant row's list in one transaction; should it fail, Vapi gets the
//      list before the change back: no tool is left half-attached.
// The secret is answered once, by the create; reads show it masked.
import { randomUUID } from 'node:crypto';
import type { AssistantLanguage } from '../config/assistant';
import type { ToolConfig } from '../config/tools';
import type { KeyRing } from '../crypto/envelope';
import type { AssistantsRepository } from '../db/assistants';
import { attached, type ToolMessages, type ToolRow, type ToolsRepository } from '../db/tools';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../errors';
import type { WebhookTarget } from '../providers/vapi';
import { changeAssistant, toolSpecs, type AssistantChangeDeps, type ClaimedAssistant } from './assistant-change';
import { inOpenAccount } from './account-state';

export interface ToolDeps extends AssistantChangeDeps {
  assistants: Pick<AssistantsRepository, 'claimChange' | 'releaseChange'>;
  tools: Pick<ToolsRepository, 'list' | 'commit'>;
  /** Why a URL may not be called (form, then host as resolved): undefined when it may. */
  urlRefusal: (url: string) => Promise<string | undefined>;
  config: Pick<ToolConfig, 'perUser' | 'timeoutSeconds'>;
  prompts: Record<AssistantLanguage, string>;
  /** Our Vapi webhook and its secret: every tool's server at Vapi. */
  server: WebhookTarget;
}

/** What a new tool takes besides: the key its secret is sealed with, a new secret and its masked form. */
export interface ToolCreationDeps extends ToolDeps {
  keys: Pick<KeyRing, 'seal'>;
  newSecret: () => string;
  maskSecret: (secret: string) => string;
}

/** What a POST or PUT names (the schema checked its form). */
export interface ToolInput {
  name: string;
  description: string;
  parameters?: Record<string, unknown>;
  url: string;
  timeoutSeconds?: number;
  messages?: ToolMessages;
}

/** A tool as answered: its row without the sealed secret and the assistant it is attached to. */
export type ToolView = Omit<ToolRow, 'toolId' | 'secret' | 'assistantId'> & { id: string };

/** The parameters of a function without arguments. */
const NO_PARAMETERS = { type: 'object', properties: {} };

/** The encryption context a tool's secret is sealed under: it opens for this user's tool only. */
export const secretContext = (userId: string, toolId: string) => ({ purpose: 'tool-signing-secret', userId, toolId });

export class ToolUrlRefusedError extends AppError {
  constructor(reason: string) {
    super(400, 'tool-url-refused', 'Bad request', `The tool's URL cannot be called: ${reason}.`, { errors: [{ path: 'body.url', message: reason }] });
  }
}

export class ToolNameTakenError extends ConflictError {
  constructor(name: string) {
    super(`Another of your tools is named ${name}: a name is the function the model calls, so it must be unique.`, 'tool-name-taken');
  }
}

export class ToolQuotaError extends ConflictError {
  constructor(limit: number) {
    super(`You have ${limit} tools, as many as an account may have: delete one first.`, 'quota-tools');
  }
}

export class ToolNotFoundError extends NotFoundError {
  constructor() {
    super('No tool of yours has this id.');
  }
}

export const toolView = (t: ToolRow): ToolView => ({
  id: t.toolId,
  name: t.name,
  description: t.description,
  parameters: t.parameters,
  url: t.url,
  timeoutSeconds: t.timeoutSeconds,
  messages: t.messages,
  secretHint: t.secretHint,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});

/** Step 1: the timeout (the stage's default when left out) and the URL. */
async function checked(deps: ToolDeps, input: ToolInput): Promise<{ timeoutSeconds: number }> {
  const bounds = deps.config.timeoutSeconds;
  const timeoutSeconds = input.timeoutSeconds ?? bounds.default;
  if (timeoutSeconds < bounds.min || timeoutSeconds > bounds.max) {
    throw new ValidationError([{ path: 'body.timeoutSeconds', message: `Must be from ${bounds.min} to ${bounds.max} seconds.` }]);
  }
  const refusal = await deps.urlRefusal(input.url);
  if (refusal) throw new ToolUrlRefusedError(refusal);
  return { timeoutSeconds };
}

/** The tool's fields an input sets (a PUT sets them all: what it leaves out takes its default). */
const fields = (input: ToolInput, timeoutSeconds: number) => ({
  name: input.name,
  description: input.description,
  parameters: input.parameters ?? NO_PARAMETERS,
  url: input.url,
  timeoutSeconds,
  messages: input.messages ?? {},
});

/** Steps 3 to 5 for the list `next` (what Vapi gets) after `change`, from `current`. */
function planFor(deps: ToolDeps, userId: string, row: ClaimedAssistant, claimId: string, current: ToolRow[], next: ToolRow[], change: Parameters<ToolDeps['tools']['commit']>[2], now: Date) {
  const language = row.language ?? 'de';
  const model = (tools: ToolRow[]) => ({ systemPrompt: deps.prompts[language], tools: toolSpecs(tools, deps.server, deps.config.timeoutSeconds.max) });
  return {
    changes: model(next),
    undo: model(current),
    record: () =>
      inOpenAccount(userId, deps.tools.commit(userId, claimId, change, { tools: next.map(attached), toolsVersion: (row.toolsVersion ?? 0) + 1, updatedAt: now.toISOString() })),
  };
}

export async function createTool(deps: ToolCreationDeps, userId: string, input: ToolInput): Promise<ToolView & { secret: string }> {
  const { timeoutSeconds } = await checked(deps, input);
  const now = deps.now?.() ?? new Date();
  const toolId = randomUUID();
  const secret = deps.newSecret();
  let created: ToolRow | undefined;
  await changeAssistant(deps, userId, async (row, claimId) => {
    const current = await deps.tools.list(userId, { consistent: true });
    if (current.some((t) => t.name === input.name)) throw new ToolNameTakenError(input.name);
    if (current.length >= deps.config.perUser) throw new ToolQuotaError(deps.config.perUser);
    // Only once nothing refuses the tool: a refusal calls no one.
    const sealed = await deps.keys.seal({ secret }, secretContext(userId, toolId));
    const stamp = now.toISOString();
    created = { toolId, ...fields(input, timeoutSeconds), secret: sealed, secretHint: deps.maskSecret(secret), assistantId: row.assistantId, createdAt: stamp, updatedAt: stamp };
    return planFor(deps, userId, row, claimId, current, [...current, created], { put: created, create: true }, now);
  });
  return { ...toolView(created!), secret };
}

export async function updateTool(deps: ToolDeps, userId: string, toolId: string, input: ToolInput): Promise<ToolView> {
  const { timeoutSeconds } = await checked(deps, input);
  const now = deps.now?.() ?? new Date();
  let updated: ToolRow | undefined;
  await changeAssistant(deps, userId, async (row, claimId) => {
    const current = await deps.tools.list(userId, { consistent: true });
    const old = current.find((t) => t.toolId === toolId);
    if (!old) throw new ToolNotFoundError();
    if (current.some((t) => t.toolId !== toolId && t.name === input.name)) throw new ToolNameTakenError(input.name);
    updated = { ...old, ...fields(input, timeoutSeconds), assistantId: row.assistantId, updatedAt: now.toISOString() };
    const next = current.map((t) => (t.toolId === toolId ? updated! : t));
    return planFor(deps, userId, row, claimId, current, next, { put: updated, create: false }, now);
  });
  return toolView(updated!);
}

export async function deleteTool(deps: ToolDeps, userId: string, toolId: string): Promise<void> {
  const now = deps.now?.() ?? new Date();
  await changeAssistant(deps, userId, async (row, claimId) => {
    const current = await deps.tools.list(userId, { consistent: true });
    if (!current.some((t) => t.toolId === toolId)) throw new ToolNotFoundError();
    return planFor(deps, userId, row, claimId, current, current.filter((t) => t.toolId !== toolId), { remove: toolId }, now);
  });
}

export async function listTools(deps: { tools: Pick<ToolsRepository, 'list'> }, userId: string): Promise<{ items: ToolView[] }> {
  return { items: (await deps.tools.list(userId)).map(toolView) };
}

export async function getTool(deps: { tools: Pick<ToolsRepository, 'get'> }, userId: string, toolId: string): Promise<ToolView> {
  const tool = await deps.tools.get(userId, toolId);
  if (!tool) throw new ToolNotFoundError();
  return toolView(tool);
}
