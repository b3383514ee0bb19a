// Account deletion (DELETE /v1/me, DELETE /v1/admin/users/{userId}): the request that starts a
// teardown, which removes everything of an account and can be resumed wherever it stopped. The steps
// are in teardown-steps.ts; the worker that runs them, and the progress the routes answer, in
// teardown-progress.ts.
//
// requestTeardown — the routes.
//   input: the account (and who asks); output: the teardown's progress.
//   1. read the account's partition (strongly consistent): what it holds is what is to be removed, and
//      its teardown record when one exists (asked again: its progress; the caller's own account is
//      refused as the gate refuses it, this read being DELETE /v1/me's gate); an admin's target with no
//      row and unknown to Auth0 is 404;
//   2. find its team members (settings whose `ownerId` is the account: gsi1) and read their partitions
//      the same way (those with a teardown record already are left to it);
//   3. write one TEARDOWN record per account in one transaction (each only where none exists), listing
//      the steps and the resources; the account's own lists its members and finishes after them.
//   From then on every authenticated route refuses the accounts (shared/http/middleware/account-gate.ts).
import { randomUUID } from 'node:crypto';
import { inventoryOf } from '../db/partition-inventory';
import { subscriptionEnded } from '../db/subscriptions';
import { type PartitionRow, type TeardownRequester, type TeardownResource, type TeardownRow, type TeardownsRepository } from '../db/teardowns';
import type { UsersRepository } from '../db/users';
import { DEFAULT_LOCALE } from '../model/locale';
import { AppError } from '../errors';
import { logger } from '../observability/logger';
import type { UserDirectory } from '../providers/auth0/port';
import { assertAccountOpen } from './account-state';
import { teardownView, type TeardownView } from './teardown-progress';
import { TEARDOWN_STEPS } from './teardown-steps';

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

export async function requestTeardown(
  deps: TeardownRequestDeps,
  target: { userId: string; email?: string | null },
  requestedBy: Exclude<TeardownRequester, { kind: 'owner' }>,
): Promise<TeardownView> {
  const { record: existing, rows } = await deps.teardowns.partitionWithRecord(target.userId);
  // The caller's own account: the gate of DELETE /v1/me, folded into this read (`accountState` in its
  // manifest entry): 409 while their teardown runs, 410 once it is done, as on every other route.
  if (requestedBy.kind === 'self') assertAccountOpen(existing?.status);
  if (existing) return seen(existing);
  const now = (deps.now?.() ?? new Date()).toISOString();
  if (rows.length === 0 && deps.directory && !(await deps.directory.getUser(target.userId))) throw new UserNotFoundError();

  const members: TeardownRow[] = [];
  for (const memberId of await deps.users.membersOf(target.userId)) {
    if (memberId === target.userId) continue;
    const member = await deps.teardowns.partitionWithRecord(memberId);
    if (member.record) continue;
    members.push(recordOf(memberId, member.rows, now, { kind: 'owner' }, { ownerId: target.userId }));
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
