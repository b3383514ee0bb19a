// One change of the customer's ready assistant at Vapi (a PUT of its greeting or language; a custom
// tool added, changed or removed), run under the assistant row's change claim (shared/db/assistants.ts):
//   1. claim the change (409 assistant-missing without a ready assistant, 409 assistant-busy while
//      another request changes it);
//   2. plan it from the row as claimed: what Vapi gets, and how the table records it (a refusal
//      here, a name taken say, gives the claim back);
//   3. change the assistant at Vapi (a failure gives the claim back: nothing changed anywhere);
//   4. record the change, which gives the claim back; when that fails, Vapi gets the plan's `undo`
//      (the state before), so no tool stays attached at Vapi that the table does not list.
// The window left: the process dies between 3 and 4; the claim then expires (CLAIM_TTL_MS) and the
// next change sends Vapi the list the table holds.
import { randomUUID } from 'node:crypto';
import type { AssistantRow, AssistantsRepository } from '../db/assistants';
import { ChangeClaimLostError, type ToolRow } from '../db/tools';
import { ConflictError } from '../errors';
import { logger } from '../observability/logger';
import type { AssistantChanges, FunctionToolSpec, VoiceAssistants, WebhookTarget } from '../providers/vapi';

export interface AssistantChangeDeps {
  assistants: Pick<AssistantsRepository, 'claimChange' | 'releaseChange'>;
  vapi: Pick<VoiceAssistants, 'updateAssistant'>;
  now?: () => Date;
}

export class AssistantMissingError extends ConflictError {
  constructor() {
    super('Set up your assistant first (PUT /v1/me/assistant): tools are attached to it.', 'assistant-missing');
  }
}

export class AssistantBusyError extends ConflictError {
  constructor() {
    super('Another request is changing your assistant right now; nothing was changed. Retry in a moment.', 'assistant-busy');
  }
}

/** A ready assistant row, as the claim answered it. */
export type ClaimedAssistant = AssistantRow & { assistantId: string };

export interface ChangePlan<T> {
  changes: AssistantChanges;
  /** What puts Vapi back as it was, should recording fail; none: Vapi stays ahead (the next change catches up). */
  undo?: AssistantChanges;
  /** Records the change in the table, giving the claim `claimId` back. */
  record: () => Promise<T>;
}

export async function changeAssistant<T>(
  deps: AssistantChangeDeps,
  userId: string,
  plan: (row: ClaimedAssistant, claimId: string) => Promise<ChangePlan<T>>,
): Promise<T> {
  const claimId = randomUUID();
  const claimed = await deps.assistants.claimChange(userId, claimId, deps.now?.() ?? new Date());
  if (claimed === 'missing') throw new AssistantMissingError();
  if (claimed === 'busy') throw new AssistantBusyError();
  const row = claimed as ClaimedAssistant;
  const giveBack = () => deps.assistants.releaseChange(userId, claimId).catch((e: unknown) => logger.error('assistant change claim not released', { error: e as Error }));
  let planned: ChangePlan<T>;
  try {
    planned = await plan(row, claimId);
    await deps.vapi.updateAssistant(row.assistantId, planned.changes);
  } catch (err) {
    await giveBack();
    throw err;
  }
  try {
    return await planned.record();
  } catch (err) {
    if (planned.undo) {
      await deps.vapi
        .updateAssistant(row.assistantId, planned.undo)
        .catch((e: unknown) => logger.error('Vapi assistant not put back after a change the table did not record', { assistantId: row.assistantId, error: e as Error }));
    }
    await giveBack();
    throw err instanceof ChangeClaimLostError ? new AssistantBusyError() : err;
  }
}

/** How much longer Vapi waits for our webhook than the webhook waits for the customer's URL. */
export const TOOL_SERVER_MARGIN_SECONDS = 3;

/**
 * The tools as the assistant's model gets them: each a function whose calls Vapi posts to our webhook
 * (`server`, with its secret header), waiting the tool's timeout (at most `maxTimeoutSeconds`, the
 * stage's bound now) plus our margin.
 */
export function toolSpecs(tools: readonly ToolRow[], server: WebhookTarget, maxTimeoutSeconds: number): FunctionToolSpec[] {
  return tools.map((t) => ({
    name: t.name,
    description: t.description,
    parameters: t.parameters,
    server: { ...server, timeoutSeconds: Math.min(t.timeoutSeconds, maxTimeoutSeconds) + TOOL_SERVER_MARGIN_SECONDS },
    messages: t.messages,
  }));
}
