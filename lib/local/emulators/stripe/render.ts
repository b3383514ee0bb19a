// The objects as the Stripe API renders them: a subscription with the expansions asked for
// (`customer`, `latest_invoice`, `latest_invoice.confirmation_secret`), an invoice without its
// confirmation secret unless expanded, and the snapshots an event carries (ids, not expansions).
import type { Invoice, StripeState, Subscription, SubscriptionSchedule } from './state';
import { find } from './wire';

export function renderInvoice(invoice: Invoice, withSecret: boolean) {
  const { confirmation_secret, ...rest } = invoice;
  return withSecret ? { ...rest, confirmation_secret } : rest;
}

/** The subscription's latest invoice. */
export const invoiceOf = (state: StripeState, sub: Subscription) => find(state.resources.invoices, sub.latest_invoice ?? undefined);

export function renderSubscription(state: StripeState, sub: Subscription, expand: string[]) {
  const out: Record<string, unknown> = { ...sub };
  const invoice = invoiceOf(state, sub);
  if (invoice && expand.some((e) => e.startsWith('latest_invoice'))) {
    out.latest_invoice = renderInvoice(invoice, expand.includes('latest_invoice.confirmation_secret'));
  }
  if (expand.includes('customer')) out.customer = find(state.resources.customers, sub.customer) ?? sub.customer;
  return out;
}

/** What an event carries: the object as the API renders it (ids, not expansions). */
export const subSnapshot = (state: StripeState, sub: Subscription) => structuredClone(renderSubscription(state, sub, []));
export const invoiceSnapshot = (invoice: Invoice) => renderInvoice(invoice, false);
export const scheduleSnapshot = (schedule: SubscriptionSchedule) => structuredClone(schedule) as unknown as Record<string, unknown>;
