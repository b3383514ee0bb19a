// What the portal sees of the caller's subscription (GET /v1/me and the billing routes).
import type { SubscriptionRow } from '../db/subscriptions';

export function subscriptionView(row: SubscriptionRow | undefined) {
  if (!row) return null;
  return {
    planId: row.planId,
    status: row.status ?? 'creating',
    currentPeriodEnd: row.currentPeriodEnd ?? null,
    pendingChange: row.pendingChange ? { planId: row.pendingChange.planId, effectiveAt: row.pendingChange.effectiveAt } : null,
  };
}
