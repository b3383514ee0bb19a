// The prices the emulator bills with and the billing arithmetic around them: the local plans'
// catalogue as Stripe prices, the proration behaviours Stripe takes, and adding a billing interval
// to a timestamp the way Stripe does (the day of month kept, clamped to the month's last day).
import { LOCAL_PLANS, LOCAL_PLAN_PRICES } from '../../../../shared/config/plans';
import type { Price, Recurring } from './state';

// The prices the local plans are billed with: the plan catalogue's own ids and amounts (one config).
export const PRICES: Price[] = LOCAL_PLANS.map((plan) => ({
  id: LOCAL_PLAN_PRICES[plan.id],
  object: 'price',
  active: true,
  currency: plan.currency.toLowerCase(),
  unit_amount: plan.monthlyPriceCents,
  nickname: plan.name,
  product: `prod_${plan.id}`,
  recurring: { interval: 'month', interval_count: 1 },
  type: 'recurring',
  livemode: false,
}));

/** The `proration_behavior` values Stripe takes. */
export const PRORATION = ['create_prorations', 'none', 'always_invoice'];

/** `ts` plus one billing interval (`interval_count` times `interval`), on the UTC calendar. */
export function addInterval(ts: number, { interval, interval_count: n }: Recurring): number {
  if (interval === 'day' || interval === 'week') return ts + n * (interval === 'day' ? 1 : 7) * 86_400;
  const d = new Date(ts * 1000);
  const months = interval === 'year' ? 12 * n : n;
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
  // Stripe keeps the day of month, clamped to the month's last day (31 Jan → 28 Feb).
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return Math.floor(target.getTime() / 1000);
}
