// The steps of an account's teardown, in order (teardown-request.ts lists on each record those that
// apply, teardown-progress.ts runs them one per stream record), and what the worker that runs them
// needs: the table, and each provider a step acts on.
import type { PartnerAccountsRepository } from '../db/partner-accounts';
import type { PoolAssignments } from '../db/pool';
import { inventoryOf } from '../db/partition-inventory';
import type { TeardownRow, TeardownsRepository } from '../db/teardowns';
import { accountDeletedMail } from '../email/customer';
import { localeOr } from '../model/locale';
import { logger } from '../observability/logger';
import type { UserDirectory } from '../providers/auth0/port';
import type { Mailer } from '../providers/mailgun/port';
import type { Billing } from '../providers/stripe/port';
import type { ExportFiles } from '../providers/s3/port';
import type { VoiceAssistants } from '../providers/vapi';
import { gone } from './gone';
import { removeIntegrations, type IntegrationDeps } from './integrations';

export interface TeardownDeps {
  teardowns: TeardownsRepository;
  billing: Pick<Billing, 'cancelNow'>;
  /** What removing the phone lines needs (shared/domain/integrations.ts). */
  lines: IntegrationDeps;
  /** The user's place among those waiting for a pool number. */
  pool: Pick<PoolAssignments, 'stopWaiting'>;
  vapi: Pick<VoiceAssistants, 'deleteAssistant' | 'deleteCall'>;
  directory: UserDirectory;
  mailer: Mailer;
  partnerAccounts: Pick<PartnerAccountsRepository, 'releaseLink'>;
  /** The data exports' files in the bucket. */
  exportFiles: Pick<ExportFiles, 'removeAccount'>;
  now?: () => Date;
}

/** What a step did: done (with fields to keep on the record), or waiting for something else to happen. */
type StepOutcome = { fields?: Partial<TeardownRow> } | 'waiting';

export interface TeardownStep {
  name: string;
  /** Where it acts (the hub and the tests' faults read it). */
  target: 'stripe' | 'vapi+sipgate' | 'vapi' | 's3' | 'table' | 'auth0' | 'team' | 'mailgun';
  /** Only when this holds for the record (the team step, for an owner with members). */
  applies?: (record: TeardownRow) => boolean;
  run(deps: TeardownDeps, record: TeardownRow): Promise<StepOutcome>;
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
      // The user no longer waits for a pool number: a number that becomes free goes to the next user,
      // not to this account (whose assignment its teardown record would refuse, one at a time).
      await deps.pool.stopWaiting(r.userId);
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
      // The record names the assistant the partition held when the deletion was asked for. A PUT that
      // was still creating one then may have completed before the record was written: the partition,
      // read again, names it. One that completes after is refused (its completion checks the record)
      // and deletes its assistant itself.
      const { assistantId } = inventoryOf(await deps.teardowns.partition(r.userId));
      for (const id of new Set([r.assistantId, assistantId])) if (id) await gone(() => deps.vapi.deleteAssistant(id));
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
    name: 'delete-exports',
    target: 's3',
    async run(deps, r) {
      // Every file of the account's data exports (their rows go with the next step). An export the
      // worker was still making writes none once the record exists (shared/domain/data-export.ts).
      await deps.exportFiles.removeAccount(r.userId);
      return {};
    },
  },
  {
    name: 'delete-rows',
    target: 'table',
    async run(deps, r) {
      const inventory = inventoryOf(await deps.teardowns.partition(r.userId));
      // The partition holds the webhook endpoints, events, deliveries and recoveries too: they go with
      // it, and an attempt still queued for them (SQS cannot take a message back) finds nothing and is dropped.
      // A partner account the user activated loses its user (and is disabled): it is the partner's
      // business record, kept, but no longer names the account.
      for (const partnerId of inventory.partnerIds) await deps.partnerAccounts.releaseLink(partnerId, r.userId);
      // The API keys' lookup items first (a request's token finds its key by them), then the rest.
      await deps.teardowns.deleteKeys(inventory.apiKeyLookups);
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
