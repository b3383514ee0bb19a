// The emails about a customer's pool number at the end of the period: that it goes, and, when the
// customer takes that back before the date, that it stays.
//
// notifyNumberRelease — the worker, from the release's row (USER#<sub> / NUMBER_RELEASE#<effectiveAt>,
// written by syncPoolNumber when a downgrade to a plan without a number is scheduled or the
// subscription is to end at the period's end): its INSERT, or its MODIFY with a new `announcedAt` (a
// withdrawn release announced again).
//   input: the user and the release date; output: what it did.
//   1. read the row as it is now (strongly consistent); nothing to do if it is gone, already marked or
//      withdrawn meanwhile;
//   2. read the user's settings: without an email address, log and stop;
//   3. email the user in their language: the number, the date in their time zone, the new plan's name
//      for a downgrade, and the link to the portal's billing page; then mark `mailId` on the row.
//
// notifyNumberKept — the worker, from each MODIFY of the release's row: its withdrawal (syncPoolNumber,
// once the release is taken back) or the announcement's mark, whichever comes second (an announcement
// sent while the release was being withdrawn is still answered).
//   input: the user and the release date; output: what it did.
//   1. read the row as it is now; nothing to do unless it is withdrawn, its announcement went out
//      (`mailId`: a customer told nothing is told nothing now) and the number's staying is not marked;
//   2. read the user's settings: without an email address, log and stop;
//   3. email the user in their language that the number stays (which number, why it was to go, the
//      link to the billing page); then mark `keptMailId` on the row.
//   A failed send throws and the stream retries the record; a marked row sends nothing again.
import type { Plan } from '../config/plans';
import type { NumberReleasesRepository } from '../db/number-releases';
import { numberKeptMail, numberReleaseMail } from '../email/customer';
import type { RenderedMail } from '../email/kit';
import { localeOr, type Locale } from '../model/locale';
import { logger } from '../observability/logger';
import type { Mailer } from '../providers/mailgun/port';
import type { PaymentFailedRecipient } from './payment-failed';

export interface NumberReleaseDeps {
  releases: Pick<NumberReleasesRepository, 'get' | 'markSent' | 'markKeptSent'>;
  /** The user's settings (USER#<sub> / SETTINGS), when they exist. */
  recipient: (userId: string) => Promise<PaymentFailedRecipient | undefined>;
  plans: readonly Pick<Plan, 'id' | 'name'>[];
  mailer: Mailer;
  /** The customer portal's base URL, without a trailing slash. */
  portalUrl: string;
  now?: () => Date;
}

/** What the email that the number stays needs: no plan is named. */
export type NumberKeptDeps = Omit<NumberReleaseDeps, 'plans'>;

export type NumberReleaseOutcome = 'sent' | 'already-sent' | 'withdrawn' | 'skipped-no-email' | 'gone';
export type NumberKeptOutcome = 'sent' | 'already-sent' | 'not-withdrawn' | 'never-announced' | 'skipped-no-email' | 'gone';

type Ids = { userId: string; effectiveAt: string };

/** The time zone of a user who set none (the settings' default). */
const DEFAULT_TIME_ZONE = 'Europe/Berlin';

export async function notifyNumberRelease(deps: NumberReleaseDeps, ids: Ids): Promise<NumberReleaseOutcome> {
  const row = await deps.releases.get(ids.userId, ids.effectiveAt);
  if (!row) return 'gone';
  if (row.mailId) return 'already-sent';
  if (row.withdrawnAt) return 'withdrawn';
  return mailOnce(deps, ids, 'number-release', (locale, timeZone) =>
    numberReleaseMail(locale, {
      number: row.number,
      effectiveAt: row.effectiveAt,
      reason: row.reason,
      planName: deps.plans.find((p) => p.id === row.planId)?.name,
      timeZone,
      portalUrl: deps.portalUrl,
    }),
  );
}

export async function notifyNumberKept(deps: NumberKeptDeps, ids: Ids): Promise<NumberKeptOutcome> {
  const row = await deps.releases.get(ids.userId, ids.effectiveAt);
  if (!row) return 'gone';
  if (!row.withdrawnAt) return 'not-withdrawn';
  if (row.keptMailId) return 'already-sent';
  if (!row.mailId) return 'never-announced';
  return mailOnce(deps, ids, 'number-kept', (locale) => numberKeptMail(locale, { number: row.number, reason: row.reason, portalUrl: deps.portalUrl }));
}

/** Emails the user the mail `render` makes in their language, then marks it on the row (`mailId` or `keptMailId`). */
async function mailOnce(
  deps: NumberKeptDeps,
  { userId, effectiveAt }: Ids,
  kind: 'number-release' | 'number-kept',
  render: (locale: Locale, timeZone: string) => RenderedMail,
): Promise<'sent' | 'skipped-no-email'> {
  const recipient = await deps.recipient(userId);
  if (!recipient?.email) {
    logger.warn(`${kind} email skipped: the user has no email address`, { userId });
    return 'skipped-no-email';
  }
  const mail = render(localeOr(recipient.locale), recipient.timezone || DEFAULT_TIME_ZONE);
  const { id } = await deps.mailer.send({ ...mail, to: recipient.email, tags: [kind], variables: { mail: kind, effectiveAt } });
  const at = (deps.now?.() ?? new Date()).toISOString();
  const marked = kind === 'number-release' ? await deps.releases.markSent(userId, effectiveAt, id, at) : await deps.releases.markKeptSent(userId, effectiveAt, id, at);
  if (!marked) logger.warn(`${kind} email sent, but another delivery had marked it first`, { userId, mailId: id });
  return 'sent';
}
