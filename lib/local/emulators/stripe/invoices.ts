// Stripe invoices as the emulator keeps them: a subscription's invoices (the first one, a charged plan
// change, a renewal), which of them is open, and paying one, which turns its subscription active
// once nothing is left open. The one route is `POST /v1/invoices/:id/pay` with `paid_out_of_band`:
// what the portal's payment confirmation does to a subscription's first invoice; local flows and
// tests use it to turn an incomplete subscription active.
import type { Events } from './events';
import type { PostRoute } from './idempotency';
import { invoiceOf, invoiceSnapshot, renderInvoice, subSnapshot } from './render';
import { nowFor, type Invoice, type InvoiceItem, type StripeState, type Subscription } from './state';
import { fail, find, newId, noSuch, ok, str, token } from './wire';

/** A new invoice of `sub` for its current period, stored; an open one carries a confirmation secret. */
export function newInvoice(state: StripeState, sub: Subscription, amount: number, reason: Invoice['billing_reason'], open: boolean): Invoice {
  const item = sub.items.data[0];
  const t = nowFor(state, sub.customer);
  const invoice: Invoice = {
    id: newId('in_'),
    object: 'invoice',
    created: t,
    customer: sub.customer,
    status: open ? 'open' : 'paid',
    billing_reason: reason,
    currency: sub.currency,
    amount_due: amount,
    amount_paid: open ? 0 : amount,
    amount_remaining: open ? amount : 0,
    attempt_count: open ? 0 : 1,
    attempted: !open,
    next_payment_attempt: null,
    period_start: item?.current_period_start ?? t,
    period_end: item?.current_period_end ?? t,
    parent: { type: 'subscription_details', subscription_details: { subscription: sub.id, metadata: { ...sub.metadata } } },
    confirmation_secret: open ? newConfirmationSecret() : null,
    test_clock: sub.test_clock,
    livemode: false,
  };
  state.resources.invoices.push(invoice);
  return invoice;
}

/** The secret the portal would confirm an open invoice's payment with (its payment intent's). */
export const newConfirmationSecret = (): NonNullable<Invoice['confirmation_secret']> => ({
  type: 'payment_intent',
  client_secret: `${newId('pi_')}_secret_${token(24)}`,
});

/** What a renewal of `sub` bills: its items' prices and the prorations left from plan changes. */
export function renewalLines(state: StripeState, sub: Subscription): { amount: number; pending: InvoiceItem[] } {
  const pending = state.resources.invoiceItems.filter((i) => i.invoice === null && i.parent.subscription_details.subscription === sub.id);
  const amount = sub.items.data.reduce((n, i) => n + i.price.unit_amount * i.quantity, 0) + pending.reduce((n, i) => n + i.amount, 0);
  return { amount: Math.max(0, amount), pending };
}

const invoicesOf = (state: StripeState, sub: Subscription) =>
  state.resources.invoices.filter((i) => i.parent.subscription_details.subscription === sub.id);
/** The subscription's open invoice: its latest if open, else its newest open one. */
export const openInvoiceOf = (state: StripeState, sub: Subscription) =>
  [invoiceOf(state, sub), ...invoicesOf(state, sub).reverse()].find((i): i is Invoice => i?.status === 'open');

/**
 * An invoice paid (out of band, the simulated card, or a card charged by a test clock, `charged`):
 * invoice.paid (and invoice.payment_succeeded for a charge), then a subscription with nothing left open
 * turns active.
 */
export function payInvoice(state: StripeState, events: Events, invoice: Invoice, opts: { charged?: boolean } = {}) {
  Object.assign(invoice, {
    status: 'paid',
    amount_paid: invoice.amount_due,
    amount_remaining: 0,
    attempted: true,
    attempt_count: invoice.attempt_count + 1,
    next_payment_attempt: null,
  });
  events.emit('invoice.paid', invoiceSnapshot(invoice));
  if (opts.charged) events.emit('invoice.payment_succeeded', invoiceSnapshot(invoice));
  const sub = find(state.resources.subscriptions, invoice.parent.subscription_details.subscription);
  if (!sub || (sub.status !== 'incomplete' && sub.status !== 'past_due' && sub.status !== 'unpaid') || openInvoiceOf(state, sub)) return;
  const before = subSnapshot(state, sub);
  sub.status = 'active';
  events.emitUpdate('customer.subscription.updated', before, subSnapshot(state, sub));
}

export function invoiceRoutes(state: StripeState, post: PostRoute, events: Events): void {
  post('/v1/invoices/:id/pay', ({ params }, form) => {
    const invoice = find(state.resources.invoices, params.id);
    if (!invoice) return noSuch('invoice', params.id!);
    if (invoice.status === 'paid') return fail(400, { message: 'Invoice is already paid' });
    if (str(form.paid_out_of_band) !== 'true') {
      return fail(400, { message: 'This customer has no attached payment source or default payment method. Please consider adding a default payment method.' });
    }
    payInvoice(state, events, invoice);
    return ok(renderInvoice(invoice, false));
  });
}
