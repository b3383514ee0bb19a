// The email to a customer whose subscription payment failed.
//
// notifyPaymentFailed — the worker, from the INSERT of the failure's row (USER#<sub> /
// PAYMENT_FAILED#<invoiceId>, one per invoice, written by the Stripe webhook) on the table's stream.
//   input: the user and invoice ids; output: what it did.
//   1. read the row as it is now (strongly consistent); nothing to do if it is gone or already marked;
//   2. read the user's settings: without an email address, log and stop (the row stays unmarked, so
//      nothing is sent for it later either: only its INSERT reaches the worker);
//   3. read the user's subscription for the plan's name, shown when it is the subscription the
//      invoice belongs to;
//   4. email the user in their language, with the amount in the invoice's currency, the time in
//      their time zone and the link to the portal's billing page, then mark `mailId` on the row.
//   A failed send throws and the stream retries the record; a marked row sends nothing again. The
//   window that remains (Mailgun accepted, the mark not yet written) sends that one email again.
import type { Plan, PlanId } from '../config/plans';
import type { PaymentFailureRow, PaymentFailuresRepository } from '../db/payment-failures';
import { paymentFailedMail } from '../email/customer';
import { localeOr } from '../model/locale';
import { logger } from '../observability/logger';
import type { Mailer, OutgoingMail } from '../providers/mailgun/port';

/** Who gets the email: the fields of the user's settings row it needs. */
export interface PaymentFailedRecipient {
  email: string | null;
  locale?: string | null;
  timezone?: string | null;
}

/** The fields of the user's subscription row the email needs. */
export interface PaymentFailedSubscription {
  planId: PlanId;
  stripeSubscriptionId?: string;
}

export interface PaymentFailedDeps {
  paymentFailures: Pick<PaymentFailuresRepository, 'get' | 'markSent'>;
  /** The user's settings (USER#<sub> / SETTINGS), when they exist. */
  recipient: (userId: string) => Promise<PaymentFailedRecipient | undefined>;
  /** The user's subscription (USER#<sub> / SUBSCRIPTION), when it exists. */
  subscription: (userId: string) => Promise<PaymentFailedSubscription | undefined>;
  plans: readonly Pick<Plan, 'id' | 'name'>[];
  mailer: Mailer;
  /** The customer portal's base URL, without a trailing slash. */
  portalUrl: string;
  now?: () => Date;
}

export type PaymentFailedOutcome = 'sent' | 'already-sent' | 'skipped-no-email' | 'gone';

/** The time zone of a user who set none (the settings' default). */
const DEFAULT_TIME_ZONE = 'Europe/Berlin';

export async function notifyPaymentFailed(
  deps: PaymentFailedDeps,
  ids: { userId: string; invoiceId: string },
): Promise<PaymentFailedOutcome> {
  const { userId, invoiceId } = ids;
  const row = await deps.paymentFailures.get(userId, invoiceId);
  if (!row) return 'gone';
  if (row.mailId) return 'already-sent';

  const recipient = await deps.recipient(userId);
  if (!recipient?.email) {
    logger.warn('payment failed email skipped: the user has no email address', { invoiceId });
    return 'skipped-no-email';
  }

  const subscription = await deps.subscription(userId);
  // A plan's name only for the subscription the invoice is about, never a later one's.
  const planId = subscription?.stripeSubscriptionId === row.subscriptionId ? subscription.planId : undefined;
  const planName = deps.plans.find((p) => p.id === planId)?.name;

  const { id } = await deps.mailer.send(failureMail(row, recipient, recipient.email, planName, deps.portalUrl));
  const marked = await deps.paymentFailures.markSent(userId, invoiceId, id, (deps.now?.() ?? new Date()).toISOString());
  if (!marked) logger.warn('payment failed email sent, but another delivery had marked it first', { invoiceId, mailId: id });
  return 'sent';
}

function failureMail(row: PaymentFailureRow, recipient: PaymentFailedRecipient, to: string, planName: string | undefined, portalUrl: string): OutgoingMail {
  return {
    ...paymentFailedMail(localeOr(recipient.locale), {
      invoiceId: row.invoiceId,
      amountDue: row.amountDue,
      currency: row.currency,
      planName,
      failedAt: row.failedAt,
      timeZone: recipient.timezone || DEFAULT_TIME_ZONE,
      portalUrl,
    }),
    to,
    tags: ['payment-failed'],
    variables: { mail: 'payment-failed', invoiceId: row.invoiceId },
  };
}
