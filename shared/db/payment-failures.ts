// Failed payments: USER#<sub> / PAYMENT_FAILED#<invoiceId>, one row per invoice, written by the Stripe
// webhook on `invoice.payment_failed` (a conditional put: a redelivered or repeated event for the same
// invoice finds the row). The notifyPaymentFailed worker emails the user from the row's INSERT and
// marks it (`mailId`), so each invoice's failure is emailed once.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { markMailSent } from './conditional';
import { putIfAbsent } from './put-if-absent';
import { USER_PK_PREFIX, afterPrefix, idOfKeyParser, userIdOfPk, userPk } from './keys';

export interface PaymentFailureRow {
  invoiceId: string;
  subscriptionId: string;
  /** In the currency's smallest unit (cents). */
  amountDue: number;
  currency: string;
  failedAt: string;
  eventId: string;
  mailId?: string;
  sentAt?: string;
}

/** The stream filter of the rows. */
export const PAYMENT_FAILURE_KEYS = { pk: USER_PK_PREFIX, sk: 'PAYMENT_FAILED#' } as const;

const key = (userId: string, invoiceId: string) => ({ pk: userPk(userId), sk: `${PAYMENT_FAILURE_KEYS.sk}${invoiceId}` });

/** The user and invoice a failure row's keys (a stream record's) name. */
export const paymentFailureIdOfKey = idOfKeyParser<{ userId: string; invoiceId: string }>(
  'a payment failure',
  ({ pk, sk }) => ({ userId: userIdOfPk(pk), invoiceId: afterPrefix(sk, PAYMENT_FAILURE_KEYS.sk) }),
  ({ userId, invoiceId }) => key(userId, invoiceId),
);

export function paymentFailuresRepository(t: TableRef) {
  return {
    /** Records the failure of an invoice; false when it was recorded before. */
    async record(userId: string, row: PaymentFailureRow): Promise<boolean> {
      return (await putIfAbsent(t, { ...key(userId, row.invoiceId), entity: 'paymentFailure', ...row })).created;
    },

    /** Strongly consistent: a retried record must see its own earlier mark. */
    async get(userId: string, invoiceId: string): Promise<PaymentFailureRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(userId, invoiceId), ConsistentRead: true }));
      return res.Item as PaymentFailureRow | undefined;
    },

    /** Marks the email sent; false when it was already marked (or the row is gone). */
    async markSent(userId: string, invoiceId: string, mailId: string, sentAt: string): Promise<boolean> {
      return markMailSent(t, key(userId, invoiceId), mailId, sentAt);
    },
  };
}

export type PaymentFailuresRepository = ReturnType<typeof paymentFailuresRepository>;
