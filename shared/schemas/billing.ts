// Schemas of the caller's subscription (POST /v1/me/subscription, POST /v1/me/subscription/plan-change,
// and its part of GET /v1/me) and of the Stripe webhook's answer.
import * as z from '../zod';
import { PLAN_IDS } from '../config/plans';
import { isoDateTime } from './common';

const planId = /* @__PURE__ */ z.defineSchema(() => z.enum(PLAN_IDS));

export const SubscriptionRequest = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ planId }).register(z.globalRegistry, { id: 'SubscriptionRequest' }));

export const PlanChangeRequest = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ targetPlanId: planId }).register(z.globalRegistry, { id: 'PlanChangeRequest' }));

export const Subscription = /* @__PURE__ */ z.defineReply(() => z
  .object({
    planId,
    status: z.string().register(z.globalRegistry, {
      description:
        "Stripe's status: `incomplete` until the first payment is confirmed, then `active`; `past_due` after a failed payment; `canceled` once ended. `creating` while a request is creating it.",
    }),
    currentPeriodEnd: z.nullable(isoDateTime),
    pendingChange: z.nullable(
      z.object({ planId, effectiveAt: isoDateTime }).register(z.globalRegistry, { description: 'A downgrade scheduled for the end of the period.' }),
    ),
  })
  .register(z.globalRegistry, { id: 'Subscription' }));

export const SubscriptionCreated = /* @__PURE__ */ z.defineReply(() => z
  .object({
    subscriptionId: z.string(),
    planId,
    status: z.string(),
    clientSecret: z.nullable(z.string()).register(z.globalRegistry, {
      description: "What the portal confirms the first payment with (Stripe's Payment Element); null when nothing is due.",
    }),
    currentPeriodEnd: z.nullable(isoDateTime),
  })
  .register(z.globalRegistry, { id: 'SubscriptionCreated' }));

export const WebhookReceived = /* @__PURE__ */ z.defineReply(() => z
  .object({ received: z.literal(true), outcome: z.enum(['applied', 'duplicate', 'stale', 'ignored']) })
  .register(z.globalRegistry, { id: 'WebhookReceived' }));
