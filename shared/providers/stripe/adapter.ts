// Stripe through its official SDK; `host`/`port`/`protocol` point it at the emulator, unset at
// api.stripe.com. The SDK never retries: callProvider does, for reads, deletes and POSTs that carry an
// Idempotency-Key (Stripe replays the stored answer of a key it has seen, so a retry cannot duplicate).
// Stripe forgets a key after 24 hours, so nothing relies on a key beyond one port call's retries
// except customer creation, which looks for the user's customer first.
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { ProviderConflictError, ProviderNotFoundError, ProviderUnavailableError } from '../../errors';
import { DEFAULT_TIMEOUT_MS, callProvider } from '../http';
import { WebhookSignatureError, type Billing, type BillingEvent, type SubscriptionStatus } from './port';

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** Unset: api.stripe.com over https. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  timeoutMs?: number;
}

/** Stripe's own recommendation: reject events signed more than five minutes ago (replays). */
const TOLERANCE_SECONDS = 300;
/** Further tries after a 409 (the key's first request still running), 250 ms apart, then 500, 750. */
const CONFLICT_RETRIES = 3;
const CONFLICT_DELAY_MS = 250;

export function stripeBilling(settings: StripeSettings): Billing {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stripe = new Stripe(settings.secretKey, {
    host: settings.host,
    port: settings.port,
    protocol: settings.protocol,
    timeout: timeoutMs,
    maxNetworkRetries: 0,
  });

  // The SDK's timeout (it closes the socket) fires first; ours is the backstop. Every call we make is
  // safe to repeat, so all are retried on 5xx, 429 and network failures. A 409 means another request
  // with the same Idempotency-Key is still running at Stripe (our own attempt that timed out, or a
  // concurrent call for the same user): Stripe stored nothing for it and its SDKs retry it, and so do
  // we, a little later, to get the first request's answer.
  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    for (let conflicts = 0; ; conflicts++) {
      try {
        return await callProvider('stripe', operation, fn, { timeoutMs: timeoutMs + 500, idempotent: true });
      } catch (err) {
        if (!(err instanceof ProviderConflictError) || conflicts >= CONFLICT_RETRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, CONFLICT_DELAY_MS * (conflicts + 1)));
      }
    }
  };
  /** One key per port call, shared by its retries. */
  const once = () => ({ idempotencyKey: randomUUID() });
  const retrieve = (id: string) => call('retrieve subscription', () => stripe.subscriptions.retrieve(id));

  return {
    async ensureCustomer({ userId, email, name, customerId }) {
      // The id we stored, unless Stripe no longer has it (deleted, or unknown to this account).
      if (customerId) {
        const known = await call('retrieve customer', () => stripe.customers.retrieve(customerId)).catch((err: unknown) => {
          if (err instanceof ProviderNotFoundError) return undefined;
          throw err;
        });
        if (known && !known.deleted) return known.id;
      }
      // One made for this user before, whose id we lost or whose creation key Stripe has forgotten.
      // Search lags writes by up to a minute: the fixed key below covers that window.
      const found = await call('search customers', () =>
        stripe.customers.search({ query: `metadata['userId']:'${searchValue(userId)}'`, limit: 10 }),
      );
      const existing = found.data.filter((c) => c.metadata?.userId === userId).sort((a, b) => a.created - b.created)[0];
      if (existing) return existing.id;
      // The same key for the same user: a retry, or a concurrent call, within Stripe's 24 hours gets the
      // first answer (or a 409 until it exists). After a stored customer was deleted, a key of its own,
      // so that the deleted customer's creation is not replayed.
      const key = customerId ? `fonella-customer-${userId}-after-${customerId}` : `fonella-customer-${userId}`;
      const customer = await call('create customer', () =>
        stripe.customers.create({ email, name, metadata: { userId } }, { idempotencyKey: key }),
      );
      return customer.id;
    },

    async createSubscription({ customerId, priceId, userId, idempotencyKey }) {
      const opts = idempotencyKey ? { idempotencyKey } : once();
      const sub = await call('create subscription', () =>
        stripe.subscriptions.create(
          {
            customer: customerId,
            items: [{ price: priceId }],
            // Stays `incomplete` until the portal confirms the first invoice's payment.
            payment_behavior: 'default_incomplete',
            payment_settings: { save_default_payment_method: 'on_subscription' },
            expand: ['latest_invoice.confirmation_secret'],
            metadata: { userId },
          },
          opts,
        ),
      );
      const invoice = typeof sub.latest_invoice === 'object' ? sub.latest_invoice : null;
      return {
        subscriptionId: sub.id,
        status: sub.status as SubscriptionStatus,
        clientSecret: invoice?.confirmation_secret?.client_secret ?? null,
        currentPeriodEnd: periodEnd(sub, 'create subscription'),
        createdAt: sub.created,
      };
    },

    async changePlanNow({ subscriptionId, priceId }) {
      const sub = await retrieve(subscriptionId);
      const item = firstItem(sub, 'change plan');
      // A downgrade scheduled earlier would otherwise overwrite this change when its phase begins.
      let releasedAt: Date | undefined;
      if (sub.schedule) {
        const scheduleId = typeof sub.schedule === 'string' ? sub.schedule : sub.schedule.id;
        const opts = once();
        const released = await call('release subscription schedule', () => stripe.subscriptionSchedules.release(scheduleId, {}, opts));
        if (typeof released.released_at === 'number') releasedAt = new Date(released.released_at * 1000);
      }
      if (item.price.id === priceId) return { releasedAt };
      const opts = once();
      await call('change plan', () =>
        stripe.subscriptions.update(
          subscriptionId,
          { items: [{ id: item.id, price: priceId }], proration_behavior: 'create_prorations' },
          opts,
        ),
      );
      return { releasedAt };
    },

    async schedulePlanChange({ subscriptionId, priceId }) {
      const sub = await retrieve(subscriptionId);
      const end = firstItem(sub, 'schedule plan change').current_period_end;
      // A subscription takes one schedule: a second downgrade rewrites the schedule of the first.
      const existing = typeof sub.schedule === 'string' ? sub.schedule : sub.schedule?.id;
      const createOpts = once();
      const schedule = existing
        ? await call('retrieve subscription schedule', () => stripe.subscriptionSchedules.retrieve(existing))
        : await call('create subscription schedule', () =>
            stripe.subscriptionSchedules.create({ from_subscription: subscriptionId }, createOpts),
          );
      const start = schedule.current_phase?.start_date ?? schedule.phases[0]?.start_date;
      if (start === undefined) throw unexpected('schedule plan change');
      const items = sub.items.data.map((i) => ({ price: i.price.id, quantity: i.quantity ?? 1 }));
      const updateOpts = once();
      const updated = await call('update subscription schedule', () =>
        stripe.subscriptionSchedules.update(
          schedule.id,
          {
            phases: [
              { items, start_date: start, end_date: end },
              // No end given: Stripe runs it for one billing interval, then `release` leaves the
              // subscription running on the new price.
              { items: items.map((i, n) => (n === 0 ? { ...i, price: priceId } : i)) },
            ],
            end_behavior: 'release',
          },
          updateOpts,
        ),
      );
      const effective = updated.phases[1]?.start_date ?? end;
      // A new schedule's creation is Stripe's time of this change; a schedule rewritten was created by
      // an earlier one, and Stripe gives no time of the rewrite.
      return { scheduleId: updated.id, effectiveAt: new Date(effective * 1000), scheduledAt: existing ? undefined : new Date(updated.created * 1000) };
    },

    async cancelNow(subscriptionId) {
      try {
        await call('cancel subscription', () => stripe.subscriptions.cancel(subscriptionId));
      } catch (err) {
        // Stripe answers 404 for a subscription that is already canceled (e.g. a retry whose first
        // attempt went through): that is the state we want.
        if (!(err instanceof ProviderNotFoundError)) throw err;
        const sub = await retrieve(subscriptionId);
        if (sub.status !== 'canceled') throw err;
      }
    },

    verifyWebhook(rawBody, signatureHeader) {
      if (!signatureHeader) throw new WebhookSignatureError('Missing Stripe-Signature.');
      let event: { id: string; type: string; created: number; data: { object: unknown } };
      try {
        event = stripe.webhooks.constructEvent(rawBody, signatureHeader, settings.webhookSecret, TOLERANCE_SECONDS);
      } catch (err) {
        // The SDK's error carries the header and payload: keep only its message.
        throw new WebhookSignatureError(undefined, err instanceof Error ? err.message.slice(0, 200) : undefined);
      }
      return {
        id: event.id,
        type: event.type,
        created: new Date(event.created * 1000),
        data: { object: (event.data.object ?? {}) as Record<string, unknown> },
      } satisfies BillingEvent;
    },
  };
}

function firstItem(sub: Stripe.Subscription, operation: string): Stripe.SubscriptionItem {
  const item = sub.items.data[0];
  if (!item) throw unexpected(operation);
  return item;
}

/** Period ends live on the items since the 2025 API versions, no longer on the subscription. */
function periodEnd(sub: Stripe.Subscription, operation: string): Date {
  return new Date(firstItem(sub, operation).current_period_end * 1000);
}

/** A string for a quoted value in Stripe's search query language: quotes and backslashes escaped. */
function searchValue(s: string): string {
  return s.replace(/[\\']/g, (c) => `\\${c}`);
}

const unexpected = (operation: string) =>
  new ProviderUnavailableError('stripe', operation, { cause: 'unexpected answer from stripe (no subscription item or phase)' });
