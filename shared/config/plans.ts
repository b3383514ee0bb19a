// The three plans Fonella sells, and the Stripe price each is billed with: one place for what
// GET /v1/public/plans shows and what the billing routes charge. They are product configuration, so
// they live here rather than in a table; PLANS_JSON may replace the catalogue per stage (same shape;
// the local stack and the tests default to LOCAL_PLANS), STRIPE_PRICE_<PLAN> names each plan's price in
// the stage's Stripe account (locally, what the Stripe emulator offers: LOCAL_PLAN_PRICES, at the
// catalogue's amounts).
import * as z from '../zod';
import { defineConfig, json, nonEmpty, optional } from './define';

export const PLAN_IDS = ['starter', 'business', 'premium'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

/** A plan's shape: what PLANS_JSON holds (parsed only when it is set) and the API's `Plan`. */
const planShape = () =>
  z.object({
    id: z.enum(PLAN_IDS),
    name: z.string(),
    monthlyPriceCents: z.int().check(z.nonnegative()),
    currency: z.string().check(z.length(3)),
    includedMinutes: z.int().check(z.nonnegative()),
    features: z.array(z.string()),
    /** Whether the plan comes with a number from Fonella's pool, assigned when the assistant is created. */
    includesPoolNumber: z.boolean(),
  });
export const Plan = /* @__PURE__ */ z.defineReply(() => planShape().register(z.globalRegistry, { id: 'Plan' }));
export type Plan = z.infer<typeof Plan>;

const FONELLA_NUMBER = 'Fonella phone number';

export const DEFAULT_PLANS: Plan[] = [
  {
    id: 'starter',
    name: 'Starter',
    monthlyPriceCents: 2900,
    currency: 'EUR',
    includedMinutes: 100,
    features: ['AI assistant answers your calls', 'Email summary after every call', FONELLA_NUMBER],
    includesPoolNumber: true,
  },
  {
    id: 'business',
    name: 'Business',
    monthlyPriceCents: 7900,
    currency: 'EUR',
    includedMinutes: 400,
    features: ['Everything in Starter', 'Your own Sipgate number', 'Custom greeting and language'],
    includesPoolNumber: true,
  },
  {
    id: 'premium',
    name: 'Premium',
    monthlyPriceCents: 19900,
    currency: 'EUR',
    includedMinutes: 1200,
    features: ['Everything in Business', 'Your own SIP trunk', 'Team members', 'Priority support'],
    includesPoolNumber: true,
  },
];

/**
 * The catalogue of the local stack and the tests (without PLANS_JSON): the same plans, ids and
 * prices, but Starter comes without a pool number, so that a plan without one exists where the
 * lifecycle can be tried: a downgrade to Starter gives the number back at the period's end (announced
 * by email), and a customer on Starter waits for none.
 */
export const LOCAL_PLANS: Plan[] = DEFAULT_PLANS.map((plan) => {
  const [, ...rest] = plan.features;
  if (plan.id === 'starter') return { ...plan, features: plan.features.filter((f) => f !== FONELLA_NUMBER), includesPoolNumber: false };
  // "Everything in Starter" no longer brings the number: Business, the first plan with one, names it.
  if (plan.id === 'business') return { ...plan, features: [plan.features[0]!, FONELLA_NUMBER, ...rest] };
  return plan;
});

export const plansConfig = /* @__PURE__ */ defineConfig(
  'plans',
  { PLANS_JSON: optional(json(() => z.array(planShape()).check(z.length(3)))) },
  (e, { local }) => ({ plans: e.PLANS_JSON ?? (local ? LOCAL_PLANS : DEFAULT_PLANS) }),
  // No local default: the local stack's catalogue is LOCAL_PLANS itself, not its JSON read back
  // and validated again at every cold start.
);

/** The Stripe price ids the local Stripe emulator offers, one per plan. */
export const LOCAL_PLAN_PRICES: Record<PlanId, string> = { starter: 'price_starter', business: 'price_business', premium: 'price_premium' };

export const planPricesConfig = /* @__PURE__ */ defineConfig(
  'plan prices',
  { STRIPE_PRICE_STARTER: nonEmpty, STRIPE_PRICE_BUSINESS: nonEmpty, STRIPE_PRICE_PREMIUM: nonEmpty },
  (e): Record<PlanId, string> => ({ starter: e.STRIPE_PRICE_STARTER, business: e.STRIPE_PRICE_BUSINESS, premium: e.STRIPE_PRICE_PREMIUM }),
  { STRIPE_PRICE_STARTER: LOCAL_PLAN_PRICES.starter, STRIPE_PRICE_BUSINESS: LOCAL_PLAN_PRICES.business, STRIPE_PRICE_PREMIUM: LOCAL_PLAN_PRICES.premium },
);
