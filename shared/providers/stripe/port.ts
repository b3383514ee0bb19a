// Billing in Fonella's terms (Stripe underneath): one customer per user, one subscription per customer,
// plan changes now (upgrades, prorated) or at period end (downgrades), and the signed webhook events.
import { AppError } from '../../errors';

export type SubscriptionStatus =
  | 'incomplete'
  | 'incomplete_expired'
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'canceled'
  | 'unpaid'
  | 'paused';

export interface NewSubscription {
  subscriptionId: string;
  /** `incomplete` until the portal confirms the first payment with `clientSecret`. */
  status: SubscriptionStatus;
  /** What the portal confirms the first payment with; null when nothing is due. */
  clientSecret: string | null;
  currentPeriodEnd: Date;
  /** When Stripe created it (Unix seconds): the state's time, against which later events are ordered. */
  createdAt: number;
}

/** A webhook event whose signature and age have been checked. Events can arrive twice and out of order. */
export interface BillingEvent {
  id: string;
  /** Stripe's event type, e.g. `customer.subscription.updated`, `invoice.paid`. */
  type: string;
  created: Date;
  /** The Stripe object the event is about, as Stripe sent it: read it defensively. */
  data: { object: Record<string, unknown> };
}

export interface Billing {
  /**
   * The user's customer, made once: the stored `customerId` while Stripe still has it, else a customer
   * Stripe already holds for the user, else a new one. Asking again for the same user, even without
   * the stored id, gives the same customer.
   */
  ensureCustomer(input: { userId: string; email: string; name?: string; customerId?: string }): Promise<string>;
  /**
   * `idempotencyKey`: the same key within Stripe's 24 hours gives the same subscription back (a retry
   * after a crash); without one, each port call has its own.
   */
  createSubscription(input: { customerId: string; priceId: string; userId: string; idempotencyKey?: string }): Promise<NewSubscription>;
  /**
   * Swaps the plan at once; the price difference for the rest of the period is prorated. A pending
   * change's schedule is released first: `releasedAt` is Stripe's time of that release.
   */
  changePlanNow(input: { subscriptionId: string; priceId: string }): Promise<{ releasedAt?: Date }>;
  /**
   * Swaps the plan when the current period ends; until then the subscription is unchanged.
   * `scheduledAt` is Stripe's time of the schedule's creation (a test clock's time on a test clock),
   * when this call created it; a schedule an earlier change made is rewritten, and has none.
   */
  schedulePlanChange(input: { subscriptionId: string; priceId: string }): Promise<{ scheduleId: string; effectiveAt: Date; scheduledAt?: Date }>;
  /** Ends the subscription now; a subscription that is already canceled counts as done. */
  cancelNow(subscriptionId: string): Promise<void>;
  /** Checks the Stripe-Signature header against the exact raw body; throws WebhookSignatureError. */
  verifyWebhook(rawBody: string | Buffer, signatureHeader: string | undefined): BillingEvent;
}

/**
 * A webhook whose signature is missing, wrong or too old: the sender is not (provably) Stripe. 400, as
 * Stripe's own guide answers it (Stripe shows the status in the endpoint's delivery log and retries).
 */
export class WebhookSignatureError extends AppError {
  constructor(detail = 'The Stripe-Signature header does not match the body or is too old.', cause?: unknown) {
    super(400, 'webhook-signature', 'Bad request', detail, { cause });
  }
}
