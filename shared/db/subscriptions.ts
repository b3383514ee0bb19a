// The user's subscription: USER#<sub> / SUBSCRIPTION, kept in step with Stripe. Which plan it names
// decides what the user gets (e.g. a pool number, see shared/config/plans.ts).
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PlanId } from '../config/plans';
import type { TableRef } from './client';

export interface SubscriptionRow {
  planId: PlanId;
  /** Stripe's subscription status (active, trialing, past_due, incomplete, canceled, ...). */
  status: string;
  stripeCustomerId?: string;
  stripeSubscriptionId?: string;
  currentPeriodEnd?: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The statuses in which the plan's features are the user's. */
const IN_FORCE = new Set(['active', 'trialing', 'past_due']);
export const subscriptionInForce = (s: Pick<SubscriptionRow, 'status'> | undefined): boolean => !!s && IN_FORCE.has(s.status);

export function subscriptionsRepository(t: TableRef) {
  return {
    /** Writes the row as given (the local stack's demo customer; the billing routes keep it in step). */
    async put(userId: string, row: SubscriptionRow): Promise<void> {
      await t.doc.send(new PutCommand({ TableName: t.tableName, Item: { pk: `USER#${userId}`, sk: 'SUBSCRIPTION', entity: 'subscription', ...row } }));
    },
  };
}
