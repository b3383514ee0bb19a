// The three plans Fonella sells. They are product configuration, so they live here rather than in a
// table; PLANS_JSON may replace them per stage (same shape).
import * as z from '../zod';
import { defineConfig } from './define';

export const PLAN_IDS = ['starter', 'business', 'premium'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

const int = z.int().check(z.nonnegative());
export const Plan = z
  .object({
    id: z.enum(PLAN_IDS),
    name: z.string(),
    monthlyPriceCents: int,
    currency: z.string().check(z.length(3)),
    includedMinutes: int,
    features: z.array(z.string()),
    /** Whether the plan comes with a number from Fonella's pool, assigned when the assistant is created. */
    includesPoolNumber: z.boolean(),
  })
  .register(z.globalRegistry, { id: 'Plan' });
export type Plan = z.infer<typeof Plan>;

const DEFAULT_PLANS: Plan[] = [
  {
    id: 'starter',
    name: 'Starter',
    monthlyPriceCents: 2900,
    currency: 'EUR',
    includedMinutes: 100,
    features: ['AI assistant answers your calls', 'Email summary after every call', 'Fonella phone number'],
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

export const plansConfig = defineConfig(
  'plans',
  z.pipe(
    z.object({ PLANS_JSON: z.optional(z.string()) }),
    z.transform((e, ctx) => {
      if (e.PLANS_JSON === undefined) return { plans: DEFAULT_PLANS };
      let raw: unknown;
      try {
        raw = JSON.parse(e.PLANS_JSON);
      } catch {
        ctx.issues.push({ code: 'custom', message: 'PLANS_JSON is not valid JSON', input: e.PLANS_JSON });
        return z.NEVER;
      }
      const parsed = z.array(Plan).check(z.length(3)).safeParse(raw);
      if (!parsed.success) {
        ctx.issues.push({ code: 'custom', message: `PLANS_JSON: ${parsed.error.message}`, input: e.PLANS_JSON });
        return z.NEVER;
      }
      return { plans: parsed.data };
    }),
  ),
);
