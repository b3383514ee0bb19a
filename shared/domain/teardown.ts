// Account deletion (DELETE /v1/me, DELETE /v1/admin/users/{userId}): a teardown that removes
// everything of an account and can be resumed wherever it stopped.
//
// requestTeardown — the routes.
//   input: the account (and who asks); output: the teardown's progress.
//   1. read the account's partition (strongly consistent): what it holds is what is to be removed;
//      an admin's target with no row and unknown to Auth0 is 404;
//   2. find its team members (settings whose `ownerId` is the account: gsi1) without a teardown yet,
//      and read theirs the same way;
//   3. write one TEARDOWN record per account in one transaction (each only where none exists), listing
//      the steps and the resources; the account's own lists its members and finishes after them.
//   From then on every authenticated route refuses the accounts (shared/http/middleware/account-gate.ts).
//
// advanceTeardown — the tearDownAccount worker, from each INSERT and MODIFY of a record.
//   1. read the record (strongly consistent); nothing to do when it is gone or done;
//   2. run the first step not marked done (TEARDOWN_STEPS, in order) and mark it, with what it learned:
//      the mark is a MODIFY, which brings the worker back for the next step. A step the provider
//      answers "not found" for is done; a failing step throws, the stream retries the record and parks
//      it after the worker's attempts; a re-drive reads the record again and goes on from that step;
//   3. all done: tell the owner's record (a member's), then make the record the tombstone.
//   The window left: the confirmation accepted by Mailgun and its mark not written sends it again.
import { randomUUID } from 'node:crypto';
import { TOMBSTONE_SECONDS } from '../config/teardown';
import type { PartnerAccountsRepository } from '../db/partner-accounts';
import { inventoryOf } from '../db/partition-inventory';
import { subscriptionEnded } from '../db/subscriptions';
import { type PartitionRow, type TeardownRequester, type TeardownResource, type TeardownRow, type TeardownsRepository } from '../db/teardowns';
import type { UsersRepository } from '../db/users';
import { accountDeletedMail } from '../email/customer';
import { DEFAULT_LOCALE, localeOr } from '../model/locale';
import { AppError, ProviderNotFoundError } from '../errors';
import { logger } from '../observability/logger';
import type { UserDirectory } from '../providers/auth0/port';
import type { Mailer } from '../providers/mailgun/port';
import type { Billing } from '../providers/stripe/port';
import type { VoiceAssistants } from '../providers/vapi';
import { removeIntegrations, type IntegrationDeps } from './integrations';

export interface TeardownDeps {
  teardowns: TeardownsRepository;
  billing: Pick<Billing, 'cancelNow'>;
  /** What removing the phone lines needs (shared/domain/integrations.ts). */
  lines: IntegrationDeps;
  vapi: Pick<VoiceAssistants, 'deleteAssistant' | 'deleteCall'>;
  directory: UserDirectory;
  mailer: Mailer;
  partnerAccounts: Pick<PartnerAccountsRepository, 'releaseLink'>;
  now?: () => Date;
}

/** What a step did: done (with fields to keep on the record), or waiting for something else to happen. */
type StepOutcome = { fields?: Partial<TeardownRow> } | 'waiting';

export interface TeardownStep {
  name: string;
  /** Where it acts (the hub and the tests' faults read it). */
  target: 'stripe' | 'vapi+sipgate' | 'vapi' | 'table' | 'auth0' | 'team' | 'mailgun';
  /** Only when this holds for the record (the team step, for an owner with members). */
  applies?: (record: TeardownRow) => boolean;
  run(deps: TeardownDeps, record: TeardownRow): Promise<StepOutcome>;
}

/** A provider's "not found" is what a removal wants. */
async function gone(remove: () => Promise<void>): Promise<void> {
  try {
    await remove();
  } catch (err) {
    if (!(err instanceof ProviderNotFoundError)) throw err;
  }
}

/** The steps, in order: billing stops first, the email goes last. */
export const TEARDOWN_STEPS: TeardownStep[] = [
  {
    name: 'cancel-subscription',
    target: 'stripe',
    async run(deps, r) {
      // Now, without proration: the seed asks for an immediate cancellation and says nothing of a refund.
      if (r.subscriptionId) await gone(() => deps.billing.cancelNow(r.subscriptionId!));
      return {};
    },
  },
  {
    name: 'remove-phone-lines',
    target: 'vapi+sipgate',
    async run(deps, r) {
      // The pool number goes back to the pool; the Sipgate line's device and the external trunk go.
      // The shared trunk's device and credential are never touched (integrations.ts checks both ids).
      await removeIntegrations(deps.lines, { id: r.userId }, {});
      return {};
    },
  },
  {
    name: 'delete-assistant',
    target: 'vapi',
    async run(deps, r) {
      if (r.assistantId) await gone(() => deps.vapi.deleteAssistant(r.assistantId!));
      return {};
    },
  },
  {
    name: 'delete-call-logs',
    target: 'vapi',
    async run(deps, r) {
      // Vapi keeps each call's transcript, recording and summary: the calls our rows name go there too.
      const { callIds } = inventoryOf(await deps.teardowns.partition(r.userId));
      for (const callId of callIds) await gone(() => deps.vapi.deleteCall(callId));
      return {};
    },
  },
  {
    name: 'delete-rows',
    target: 'table',
    async run(deps, r) {
      const inventory = inventoryOf(await deps.teardowns.partition(r.userId));
      // A partner account the user activated loses its user (and is disabled): it is the partner's
      // business record, kept, but no longer names the account.
      for (const partnerId of inventory.partnerIds) await deps.partnerAccounts.releaseLink(partnerId, r.userId);
      await deps.teardowns.deleteKeys(inventory.deletionKeys);
      return {};
    },
  },
  {
    name: 'delete-login',
    target: 'auth0',
    async run(deps, r) {
      // Without an address on the settings, Auth0's is the last place to learn where the confirmation goes.
      const email = r.email ? undefined : ((await deps.directory.getUser(r.userId))?.email ?? undefined);
      await deps.directory.deleteUser(r.userId);
      return { fields: email ? { email } : {} };
    },
  },
  {
    name: 'await-team',
    target: 'team',
    applies: (r) => (r.members ?? []).length > 0,
    async run(_deps, r) {
      // Each member's record, once finished, marks itself here; that MODIFY brings the worker back.
      return (r.members ?? []).every((m) => r.membersDone?.[m]) ? {} : 'waiting';
    },
  },
  {
    name: 'send-confirmation',
    target: 'mailgun',
    async run(deps, r) {
      if (r.mailId) return {};
      if (!r.email) {
        logger.warn('account deleted without an address to confirm it to', { teardownId: r.teardownId });
        return {};
      }
      const mail = accountDeletedMail(localeOr(r.locale));
      const { id } = await deps.mailer.send({ ...mail, to: r.email, tags: ['account-deleted'], variables: { mail: 'account-deleted', teardownId: r.teardownId } });
      return { fields: { mailId: id } };
    },
  },
];

// --- The request ---------------------------------------------------------------------------------

export interface TeardownRequestDeps {
  teardowns: TeardownsRepository;
  users: Pick<UsersRepository, 'membersOf'>;
  /** For an admin's target without a row: does Auth0 know them? */
  directory?: Pick<UserDirectory, 'getUser'>;
  now?: () => Date;
}

export class UserNotFoundError extends AppError {
  constructor() {
    super(404, 'user-not-found', 'Not found', 'No user with this id.');
  }
}

export interface TeardownView {
  teardownId: string;
  userId: string;
  status: 'running' | 'done';
  requestedAt: string;
  completedAt: string | null;
  steps: { name: string; doneAt: string | null }[];
  members: { userId: string; doneAt: string | null }[];
  resources: TeardownResource[];
}

export function teardownView(r: TeardownRow): TeardownView {
  return {
    teardownId: r.teardownId,
    userId: r.userId,
    status: r.status,
    requestedAt: r.requestedAt,
    completedAt: r.completedAt ?? null,
    steps: r.steps.map((name) => ({ name, doneAt: r.done[name] ?? null })),
    members: (r.members ?? []).map((userId) => ({ userId, doneAt: r.membersDone?.[userId] ?? null })),
    resources: r.resources ?? [],
  };
}

export async function requestTeardown(
  deps: TeardownRequestDeps,
  target: { userId: string; email?: string | null },
  requestedBy: Exclude<TeardownRequester, { kind: 'owner' }>,
): Promise<TeardownView> {
  const existing = await deps.teardowns.get(target.userId);
  if (existing) return seen(existing);
  const now = (deps.now?.() ?? new Date()).toISOString();
  const rows = await deps.teardowns.partition(target.userId);
  if (rows.length === 0 && deps.directory && !(await deps.directory.getUser(target.userId))) throw new UserNotFoundError();

  const members: TeardownRow[] = [];
  for (const memberId of await deps.users.membersOf(target.userId)) {
    if (memberId === target.userId || (await deps.teardowns.get(memberId))) continue;
    members.push(recordOf(memberId, await deps.teardowns.partition(memberId), now, { kind: 'owner' }, { ownerId: target.userId }));
  }
  const own = recordOf(target.userId, rows, now, requestedBy, { members: members.map((m) => m.userId), fallbackEmail: target.email });
  if (!(await deps.teardowns.create([own, ...members]))) {
    // Another request was first (for the account or one of its members): answer what is stored.
    const stored = await deps.teardowns.get(target.userId);
    if (stored) return seen(stored);
    return requestTeardown(deps, target, requestedBy);
  }
  logger.info('account teardown requested', {
    teardownId: own.teardownId,
    target: target.userId,
    requestedBy: requestedBy.kind,
    ...(requestedBy.kind === 'admin' ? { adminId: requestedBy.adminId } : {}),
    members: members.length,
  });
  return teardownView(own);
}

export class UserDeletedError extends AppError {
  constructor() {
    super(410, 'user-deleted', 'Gone', "The user's account was deleted already.");
  }
}

/** A teardown asked for again: its progress while it runs; a deleted account is gone. */
function seen(r: TeardownRow): TeardownView {
  if (r.status === 'done') throw new UserDeletedError();
  return teardownView(r);
}

function recordOf(
  userId: string,
  rows: PartitionRow[],
  now: string,
  requestedBy: TeardownRequester,
  extra: { members?: string[]; ownerId?: string; fallbackEmail?: string | null },
): TeardownRow {
  const inventory = inventoryOf(rows);
  const { settings, subscription, assistantId } = inventory;
  const subscriptionId = subscription?.stripeSubscriptionId && !subscriptionEnded(subscription) ? subscription.stripeSubscriptionId : undefined;
  const members = extra.members ?? [];
  const resources: TeardownResource[] = [];
  if (subscriptionId) resources.push({ provider: 'stripe', kind: 'subscription', id: subscriptionId });
  for (const line of inventory.lines) {
    if (line.number) resources.push({ provider: line.kind === 'pool' ? 'table' : 'sipgate', kind: `${line.kind}-number`, id: line.number });
    if (line.vapiPhoneNumberId) resources.push({ provider: 'vapi', kind: 'phone-number', id: line.vapiPhoneNumberId });
    if (line.vapiCredentialId) resources.push({ provider: 'vapi', kind: 'credential', id: line.vapiCredentialId });
    if (line.sipgateDeviceId) resources.push({ provider: 'sipgate', kind: 'device', id: line.sipgateDeviceId });
  }
  if (assistantId) resources.push({ provider: 'vapi', kind: 'assistant', id: assistantId });
  resources.push({ provider: 'table', kind: 'rows', id: String(inventory.rowCount) }, { provider: 'auth0', kind: 'user', id: userId });
  const record: TeardownRow = {
    userId,
    teardownId: randomUUID(),
    status: 'running',
    requestedAt: now,
    requestedBy,
    steps: [],
    done: {},
    members,
    membersDone: {},
    email: settings?.email ?? extra.fallbackEmail ?? null,
    locale: settings?.locale ?? DEFAULT_LOCALE,
    resources,
    ...(subscriptionId ? { subscriptionId } : {}),
    ...(assistantId ? { assistantId } : {}),
    ...(extra.ownerId ? { ownerId: extra.ownerId } : {}),
  };
  record.steps = TEARDOWN_STEPS.filter((s) => !s.applies || s.applies(record)).map((s) => s.name);
  return record;
}

// --- The worker ----------------------------------------------------------------------------------

export type AdvanceOutcome = { step: string } | 'waiting' | 'completed' | 'nothing';

export async function advanceTeardown(deps: TeardownDeps, userId: string): Promise<AdvanceOutcome> {
  const record = await deps.teardowns.get(userId);
  if (!record || record.status === 'done') return 'nothing';
  const at = () => (deps.now?.() ?? new Date()).toISOString();
  const next = TEARDOWN_STEPS.find((s) => record.steps.includes(s.name) && !record.done[s.name]);
  if (next) {
    const outcome = await next.run(deps, record);
    if (outcome === 'waiting') return 'waiting';
    await deps.teardowns.markStep(userId, record.teardownId, next.name, at(), outcome.fields);
    logger.info('account teardown step done', { teardownId: record.teardownId, step: next.name });
    return { step: next.name };
  }
  // Everything removed: the owner learns first (a retry tells it again, harmlessly), then the tombstone.
  if (record.ownerId) await deps.teardowns.markMemberDone(record.ownerId, userId, at());
  const completedAt = at();
  await deps.teardowns.complete(userId, record.teardownId, completedAt, Math.floor(Date.parse(completedAt) / 1000) + TOMBSTONE_SECONDS);
  logger.info('account teardown completed', { teardownId: record.teardownId });
  return 'completed';
}
