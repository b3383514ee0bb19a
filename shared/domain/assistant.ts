// PUT /v1/me/assistant: the caller's Vapi assistant, created on the first call and updated on later
// ones; and, when the caller's plan includes one, a number from Fonella's pool. Both fields are
// optional: an update keeps what is left out, a creation fills it in (initialSetup).
//
// Creating spans two systems, so nothing may be left behind in either: the creation is claimed on the
// row first (a concurrent first call gets 409 instead of a second assistant), a Vapi failure gives the
// claim back (so does a claim whose answer the table lost, which may have been written), and a table
// failure after Vapi created the assistant deletes it again, unless the row recorded it after all (a
// completion whose answer was lost answers as written); so does an account whose deletion was
// asked for meanwhile: the claim and its completion hold only while the account has no teardown
// record, and the PUT answers 409 account-being-deleted. A pool number is
// assigned in one transaction with the user's pool line (shared/db/pool.ts), refused once the
// account's teardown record exists (409; the teardown deletes the assistant); binding it in Vapi is a
// provider call that must not be lost, so the bindPoolNumber worker does it from the line's INSERT.
// No free number: the assistant is still created, the profile says the number is pending, and the user
// waits for one (shared/domain/pool-waiting.ts): the first number that becomes free is theirs when
// they have waited longest; the next PUT also tries again.
//
// Updating runs under the row's change claim (./assistant-change.ts): the prompt and the custom tools
// are one model at Vapi, so an update sends the tools attached with it, and no tool change crosses
// it (409 assistant-busy while one runs).
import { randomUUID } from 'node:crypto';
import { ASSISTANT_LANGUAGES, DEFAULT_ASSISTANT_LANGUAGE, DEFAULT_GREETINGS, type AssistantLanguage, type SpeechSettings } from '../config/assistant';
import type { Plan } from '../config/plans';
import type { AssistantRow, AssistantsRepository } from '../db/assistants';
import type { PoolAssignments, PoolLineRow } from '../db/pool';
import type { ToolsRepository } from '../db/tools';
import type { UserRows, UsersRepository } from '../db/users';
import { ConflictError, TableUnavailableError } from '../errors';
import type { Caller } from '../model/caller';
import { logger } from '../observability/logger';
import type { VoiceAssistants, WebhookTarget } from '../providers/vapi';
import { assertAccountOpen, inOpenAccount } from './account-state';
import { changeAssistant, toolSpecs } from './assistant-change';
import { assistantView, planIncludesNumber, type AssistantView } from './assistant-view';
import { takeOrWait } from './pool-waiting';

export interface AssistantDeps {
  users: Pick<UsersRepository, 'loadUser'>;
  assistants: AssistantsRepository;
  pool: PoolAssignments;
  vapi: VoiceAssistants;
  speech: Record<AssistantLanguage, SpeechSettings>;
  prompts: Record<AssistantLanguage, string>;
  /** Our Vapi webhook and the secret Vapi sends back in `X-Vapi-Secret`. */
  server: WebhookTarget;
  /** The custom tools an update sends Vapi again, and the stage's longest tool timeout. */
  tools: Pick<ToolsRepository, 'list'>;
  toolTimeoutMaxSeconds: number;
  plans: Plan[];
  now?: () => Date;
}

/** What a PUT names; a field left out keeps its value, or on creation takes its default. */
export interface AssistantSetup {
  greeting?: string;
  language?: AssistantLanguage;
}

/** The setup with nothing left out. */
type FullSetup = Required<AssistantSetup>;

/**
 * The setup a first PUT creates the assistant with: the language named, else the caller's email
 * language when the assistant speaks it, else the default; the greeting named, else the language's.
 */
export function initialSetup(setup: AssistantSetup, settingsLocale: string | undefined): FullSetup {
  const fromSettings = ASSISTANT_LANGUAGES.find((l) => l === settingsLocale);
  const language = setup.language ?? fromSettings ?? DEFAULT_ASSISTANT_LANGUAGE;
  return { language, greeting: setup.greeting ?? DEFAULT_GREETINGS[language] };
}

export class AssistantBeingCreatedError extends ConflictError {
  constructor() {
    super('Another request is creating this assistant right now; retry in a moment.', 'assistant-being-created');
  }
}

export async function putAssistant(deps: AssistantDeps, caller: Pick<Caller, 'id' | 'name'>, setup: AssistantSetup): Promise<AssistantView> {
  const userId = caller.id;
  const now = deps.now?.() ?? new Date();
  // The route's account gate, folded into this Query (`accountState` in its manifest entry).
  const rows = await deps.users.loadUser(userId, { consistent: true });
  assertAccountOpen(rows.teardown);
  const current = rows.assistant;
  const ready = current?.status === 'ready' ? await update(deps, userId, rows, current as ReadyRow, setup, now) : await create(deps, caller, rows, setup, now);
  const poolLine = rows.poolLine ?? (await inOpenAccount(userId, assignPoolNumber(deps, userId, rows, ready.assistantId, now)));
  return assistantView(ready, poolLine, planIncludesNumber(deps.plans, rows))!;
}

/**
 * Vapi first, then the row: a failed row write leaves Vapi ahead, and the same PUT again puts both in
 * step. The tools go along: those the partition's read found, unless a tool change completed between
 * that read and the claim (the list's version moved), then read again.
 */
async function update(deps: AssistantDeps, userId: string, rows: UserRows, row: ReadyRow, given: AssistantSetup, now: Date): Promise<ReadyRow> {
  const setup: FullSetup = { greeting: given.greeting ?? row.greeting, language: given.language ?? row.language };
  const updatedAt = now.toISOString();
  await changeAssistant(deps, userId, async (claimed, claimId) => {
    const tools = (claimed.toolsVersion ?? 0) === (row.toolsVersion ?? 0) ? rows.tools : await deps.tools.list(userId, { consistent: true });
    return {
      changes: { ...vapiFields(deps, setup), tools: toolSpecs(tools, deps.server, deps.toolTimeoutMaxSeconds) },
      record: () => deps.assistants.update(userId, row.assistantId, claimId, { ...setup, updatedAt }),
    };
  });
  return { ...row, ...setup, updatedAt };
}

type ReadyRow = AssistantRow & { status: 'ready'; assistantId: string; greeting: string; language: AssistantLanguage; createdAt: string; updatedAt: string };

async function create(deps: AssistantDeps, caller: Pick<Caller, 'id' | 'name'>, rows: UserRows, given: AssistantSetup, now: Date): Promise<ReadyRow> {
  const userId = caller.id;
  const setup = initialSetup(given, rows.settings?.locale);
  const claimId = randomUUID();
  let claimed: boolean;
  try {
    claimed = await inOpenAccount(userId, deps.assistants.claim(userId, claimId, now));
  } catch (err) {
    // A claim whose answer was lost (the table's timeout) may have been written all the same: given
    // back, or the client's retry of this 503 would be refused as a concurrent creation (409) until the
    // claim went stale. The release holds only for this claim's id, so it deletes nothing else.
    if (err instanceof TableUnavailableError) await deps.assistants.release(userId, claimId).catch((e: unknown) => logger.error('assistant claim not released', { error: e as Error }));
    throw err;
  }
  if (!claimed) {
    // Lost to a concurrent first call: its assistant, if it is ready by now, else 409.
    const row = await deps.assistants.get(userId);
    if (row?.status === 'ready') return row as ReadyRow;
    throw new AssistantBeingCreatedError();
  }
  let assistantId: string;
  try {
    ({ id: assistantId } = await deps.vapi.createAssistant({
      userId,
      name: assistantName(rows.settings?.name ?? caller.name),
      ...vapiFields(deps, setup),
      server: deps.server,
    }));
  } catch (err) {
    await deps.assistants.release(userId, claimId).catch((e: unknown) => logger.error('assistant claim not released', { error: e as Error }));
    throw err;
  }
  const stamp = now.toISOString();
  const ready: ReadyRow = { status: 'ready', claimId, claimedAt: stamp, assistantId, ...setup, createdAt: stamp, updatedAt: stamp };
  try {
    await inOpenAccount(userId, deps.assistants.complete(userId, claimId, ready));
  } catch (err) {
    if (await recorded(deps, userId, assistantId, claimId)) return ready;
    throw err;
  }
  return ready;
}

/**
 * After a failed completion: whether the row records the assistant after all (the table wrote it and
 * its answer was lost). If not, no orphan: the claim is given back first (it holds only while the row
 * is this claim's `creating`, so a completion that landed stays), then the row decides. A row that is
 * ready with this assistant keeps it; anything else (no row, a claim still there, the account's
 * teardown) means it was not recorded, and it is deleted at Vapi. A row that cannot be read leaves it
 * at Vapi: deleting an assistant the row may name would break the line.
 */
async function recorded(deps: AssistantDeps, userId: string, assistantId: string, claimId: string): Promise<boolean> {
  await deps.assistants.release(userId, claimId).catch((e: unknown) => logger.error('assistant claim not released', { error: e as Error }));
  let row: AssistantRow | undefined;
  try {
    row = await deps.assistants.get(userId);
  } catch (e) {
    logger.error('assistant row unreadable after a failed completion: the Vapi assistant is kept, it may be orphaned', { assistantId, error: e as Error });
    return false;
  }
  if (row?.status === 'ready' && row.assistantId === assistantId) return true;
  await deps.vapi.deleteAssistant(assistantId).catch((e: unknown) => logger.error('orphaned Vapi assistant not deleted', { assistantId, error: e as Error }));
  return false;
}

async function assignPoolNumber(deps: AssistantDeps, userId: string, rows: UserRows, assistantId: string, now: Date): Promise<PoolLineRow | undefined> {
  if (!planIncludesNumber(deps.plans, rows)) return undefined;
  const outcome = await takeOrWait(deps.pool, { userId, assistantId, now: now.toISOString() });
  if (outcome.assigned) return { number: outcome.number, assistantId, createdAt: now.toISOString() };
  if (outcome.existing) return { number: outcome.existing, assistantId, createdAt: now.toISOString() };
  logger.warn('no free pool number: the user waits for one', { userId });
  return undefined;
}

function vapiFields(deps: AssistantDeps, setup: FullSetup) {
  return { greeting: setup.greeting, speech: deps.speech[setup.language], systemPrompt: deps.prompts[setup.language] };
}

/** What the team sees in Vapi's dashboard: the customer's name (from their settings, else their sign-in). */
function assistantName(customer: string | null | undefined): string {
  const name = customer?.trim();
  return name ? `Fonella: ${name}` : 'Fonella assistant';
}
