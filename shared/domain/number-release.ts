// The email announcing that a customer's pool number goes at the end of the period.
//
// notifyNumberRelease — the worker, from the INSERT of the release's row (USER#<sub> /
// NUMBER_RELEASE#<effectiveAt>, written by syncPoolNumber when a downgrade to a plan without a number
// is scheduled or the subscription is to end at the period's end).
//   input: the user and the release date; output: what it did.
//   1. read the row as it is now (strongly consistent); nothing to do if it is gone or already marked;
//   2. read the user's settings: without an email address, log and stop;
//   3. email the user in their language: the number, the date in their time zone, the new plan's name
//      for a downgrade, and the link to the portal's billing page; then mark `mailId` on the row.
//   A failed send throws and the stream retries the record; a marked row sends nothing again.
import type { Plan } from '../config/plans';
import type { NumberReleasesRepository } from '../db/number-releases';
import { numberReleaseMail } from '../email/customer';
import { localeOr } from '../model/locale';
import { logger } from '../observability/logger';
import type { Mailer } from '../providers/mailgun/port';
import type { PaymentFailedRecipient } from './payment-failed';

export interface NumberReleaseDeps {
  releases: Pick<NumberReleasesRepository, 'get' | 'markSent'>;
  /** The user's settings (USER#<sub> / SETTINGS), when they exist. */
  recipient: (userId: string) => Promise<PaymentFailedRecipient | undefined>;
  plans: readonly Pick<Plan, 'id' | 'name'>[];
  mailer: Mailer;
  /** The customer portal's base URL, without a trailing slash. */
  portalUrl: string;
  now?: () => Date;
}

export type NumberReleaseOutcome = 'sent' | 'already-sent' | 'skipped-no-email' | 'gone';

/** The time zone of a user who set none (the settings' default). */
const DEFAULT_TIME_ZONE = 'Europe/Berlin';

export async function notifyNumberRelease(deps: NumberReleaseDeps, ids: { userId: string; effectiveAt: string }): Promise<NumberReleaseOutcome> {
  const { userId, effectiveAt } = ids;
  const row = await deps.releases.get(userId, effectiveAt);
  if (!row) return 'gone';
  if (row.mailId) return 'already-sent';
  const recipient = await deps.recipient(userId);
  if (!recipient?.email) {
    logger.warn('number release email skipped: the user has no email address', { userId });
    return 'skipped-no-email';
  }
  const mail = numberReleaseMail(localeOr(recipient.locale), {
    number: row.number,
    effectiveAt: row.effectiveAt,
    reason: row.reason,
    planName: deps.plans.find((p) => p.id === row.planId)?.name,
    timeZone: recipient.timezone || DEFAULT_TIME_ZONE,
    portalUrl: deps.portalUrl,
  });
  const { id } = await deps.mailer.send({ ...mail, to: recipient.email, tags: ['number-release'], variables: { mail: 'number-release', effectiveAt } });
  const marked = await deps.releases.markSent(userId, effectiveAt, id, (deps.now?.() ?? new Date()).toISOString());
  if (!marked) logger.warn('number release email sent, but another delivery had marked it first', { userId, mailId: id });
  return 'sent';
}
