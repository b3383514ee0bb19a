// Stripe subscriptions: create (no card is charged on creation, so a paid plan starts `incomplete` with
// `payment_behavior=default_incomplete` and an open first invoice, a free one starts active and paid),
// retrieve with expansions, update (items and their prices and quantities, prorations as
// `proration_behavior` says: pending invoice items, or `always_invoice` charged at once;
// `cancel_at_period_end`, which a test clock carries out at the period end; `default_payment_method`),
// and cancel (which cancels a live schedule of it too). Each change records its events.
import type { Router } from '../kit';
import type { Events } from './events';
import type { PostRoute } from './idempotency';
import { newInvoice } from './invoices';
import { ownCard } from './payment-methods';
import { PRICES, PRORATION, addInterval } from './prices';
import { invoiceSnapshot, renderSubscription, scheduleSnapshot, subSnapshot } from './render';
import { isLive } from './schedules';
import { nowFor, type Invoice, type InvoiceItem, type Price, type StripeState, type Subscription, type SubscriptionItem } from './state';
import {
  expansions,
  fail,
  find,
  invalidValue,
  list,
  mergeMetadata,
  missingParam,
  newId,
  noSuch,
  obj,
  ok,
  parseForm,
  quantityOf,
  str,
  strings,
  type Form,
} from './wire';

export function subscriptionRoutes(state: StripeState, routes: Router, post: PostRoute, events: Events): void {
  post('/v1/subscriptions', (_ctx, form) => {
    const expand = expansions(form);
    if (expand instanceof Response) return expand;
    const customerId = str(form.customer);
    if (!customerId) return missingParam('customer');
    const customer = find(state.resources.customers, customerId);
    if (!customer || customer.deleted) return noSuch('customer', customerId, 'customer', 400);
    const specs = list(form.items).map(obj);
    if (specs.length === 0) return missingParam('items');
    // No card is charged on creation: only an incomplete start (the portal confirms) is possible.
    const behavior = str(form.payment_behavior) ?? 'allow_incomplete';
    const t = nowFor(state, customerId);
    const id = newId('sub_');
    const items: SubscriptionItem[] = [];
    for (const [n, spec] of specs.entries()) {
      const item = newItem(spec, id, t, items[0]?.current_period_end, `items[${n}]`);
      if (item instanceof Response) return item;
      items.push(item);
    }
    const amount = items.reduce((sum, i) => sum + i.price.unit_amount * i.quantity, 0);
    if (amount > 0 && behavior !== 'default_incomplete') {
      return fail(400, {
        code: 'resource_missing',
        message: 'This customer has no attached payment source or default payment method. Please consider adding a default payment method.',
      });
    }
    const sub: Subscription = {
      id,
      object: 'subscription',
      created: t,
      customer: customerId,
      status: amount > 0 ? 'incomplete' : 'active',
      items: { object: 'list', data: items, has_more: false, total_count: items.length, url: `/v1/subscription_items?subscription=${id}` },
      latest_invoice: null,
      schedule: null,
      currency: items[0]!.price.currency,
      collection_method: 'charge_automatically',
      billing_cycle_anchor: t,
      start_date: t,
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      ended_at: null,
      default_payment_method: null,
      payment_settings: { save_default_payment_method: str(obj(form.payment_settings).save_default_payment_method) ?? null },
      metadata: strings(form.metadata),
      test_clock: customer.test_clock,
      livemode: false,
    };
    state.resources.subscriptions.push(sub);
    const invoice = newInvoice(state, sub, amount, 'subscription_create', amount > 0);
    sub.latest_invoice = invoice.id;
    events.emit('customer.subscription.created', subSnapshot(state, sub));
    events.emit('invoice.created', invoiceSnapshot(invoice));
    if (invoice.status === 'paid') events.emit('invoice.paid', invoiceSnapshot(invoice));
    return ok(renderSubscription(state, sub, expand));
  });

  routes.get('/v1/subscriptions/:id', ({ params, url }) => {
    const expand = expansions(parseForm(url.search.slice(1)));
    if (expand instanceof Response) return expand;
    const sub = find(state.resources.subscriptions, params.id);
    return sub ? ok(renderSubscription(state, sub, expand)) : noSuch('subscription', params.id!);
  });

  post('/v1/subscriptions/:id', ({ params }, form) => {
    const expand = expansions(form);
    if (expand instanceof Response) return expand;
    const sub = find(state.resources.subscriptions, params.id);
    if (!sub) return noSuch('subscription', params.id!);
    const changes = Object.keys(form).filter((k) => !['metadata', 'cancellation_details', 'expand'].includes(k));
    if (sub.status === 'canceled' && changes.length > 0) {
      return fail(400, { message: 'A canceled subscription can only update its cancellation_details and metadata.' });
    }
    const proration = str(form.proration_behavior) ?? 'create_prorations';
    if (!PRORATION.includes(proration)) return invalidValue('proration_behavior', proration, PRORATION);
    const specs = list(form.items).map(obj);
    if (specs.length > 0 && sub.status === 'incomplete') {
      return fail(400, {
        message:
          'You cannot update a subscription in `incomplete` status in a way that results in a new invoice or invoice items. Only metadata and default_source can be updated.',
      });
    }
    const cancelAtPeriodEnd = str(form.cancel_at_period_end);
    if (cancelAtPeriodEnd !== undefined && cancelAtPeriodEnd !== 'true' && cancelAtPeriodEnd !== 'false') {
      return invalidValue('cancel_at_period_end', cancelAtPeriodEnd, ['true', 'false']);
    }
    const cardId = str(form.default_payment_method);
    const card = cardId ? ownCard(state, cardId, sub.customer, 'default_payment_method') : undefined;
    if (card instanceof Response) return card;
    const t = nowFor(state, sub.customer);
    const lines: InvoiceItem[] = [];
    const items = [...sub.items.data];
    for (const [n, spec] of specs.entries()) {
      const param = `items[${n}]`;
      const itemId = str(spec.id);
      if (!itemId) {
        const item = newItem(spec, sub.id, t, items[0]?.current_period_end, param);
        if (item instanceof Response) return item;
        items.push(item);
        continue;
      }
      const at = items.findIndex((i) => i.id === itemId);
      if (at < 0) return noSuch('subscription_item', itemId, `${param}[id]`, 400);
      if (str(spec.deleted) === 'true') {
        items.splice(at, 1);
        continue;
      }
      const current = items[at]!;
      const priceId = str(spec.price);
      const price = priceId === undefined ? current.price : find(PRICES, priceId);
      if (!price) return noSuch('price', priceId!, `${param}[price]`, 400);
      const quantity = spec.quantity === undefined ? current.quantity : quantityOf(spec.quantity, `${param}[quantity]`);
      if (quantity instanceof Response) return quantity;
      const next = { ...current, price, quantity };
      if ((price.id !== current.price.id || quantity !== current.quantity) && proration !== 'none') {
        lines.push(...prorate(sub, next, current, t));
      }
      items[at] = next;
    }
    if (specs.length > 0 && items.length === 0) return fail(400, { param: 'items', message: 'A subscription must have at least one item.' });
    const before = subSnapshot(state, sub);
    sub.items = { ...sub.items, data: items, total_count: items.length };
    sub.metadata = mergeMetadata(sub.metadata, form.metadata);
    if (cancelAtPeriodEnd !== undefined) {
      // Stripe keeps the time of the request in `canceled_at`; the subscription ends at `cancel_at`.
      const on = cancelAtPeriodEnd === 'true';
      Object.assign(sub, { cancel_at_period_end: on, cancel_at: on ? (sub.items.data[0]?.current_period_end ?? null) : null, canceled_at: on ? t : null });
    }
    if (cardId !== undefined) sub.default_payment_method = card?.id ?? null;
    let charged: Invoice | undefined;
    if (proration === 'always_invoice' && lines.length > 0) {
      // Charged at once; the emulator takes the charge as successful.
      charged = newInvoice(state, sub, Math.max(0, lines.reduce((s, l) => s + l.amount, 0)), 'subscription_update', false);
      for (const l of lines) l.invoice = charged.id;
      sub.latest_invoice = charged.id;
    }
    state.resources.invoiceItems.push(...lines);
    events.emitUpdate('customer.subscription.updated', before, subSnapshot(state, sub));
    if (charged) {
      events.emit('invoice.created', invoiceSnapshot(charged));
      events.emit('invoice.paid', invoiceSnapshot(charged));
    }
    return ok(renderSubscription(state, sub, expand));
  });

  routes.delete('/v1/subscriptions/:id', ({ params }) => {
    const sub = find(state.resources.subscriptions, params.id);
    // Stripe treats a canceled subscription as gone for a second cancel.
    if (!sub || sub.status === 'canceled') return noSuch('subscription', params.id!);
    const t = nowFor(state, sub.customer);
    Object.assign(sub, { status: 'canceled', canceled_at: t, ended_at: t });
    events.emit('customer.subscription.deleted', subSnapshot(state, sub));
    const schedule = find(state.resources.subscriptionSchedules, sub.schedule ?? undefined);
    if (schedule && isLive(schedule)) {
      Object.assign(schedule, { status: 'canceled', canceled_at: t, current_phase: null });
      events.emit('subscription_schedule.canceled', scheduleSnapshot(schedule));
    }
    return ok(renderSubscription(state, sub, []));
  });
}

/** Builds an item from `items[n]`, or answers the error Stripe would. */
function newItem(spec: Form, subscription: string, start: number, end: number | undefined, param: string) {
  const priceId = str(spec.price);
  if (!priceId) return missingParam(`${param}[price]`);
  const price = find(PRICES, priceId);
  if (!price) return noSuch('price', priceId, `${param}[price]`, 400);
  const quantity = quantityOf(spec.quantity, `${param}[quantity]`);
  if (quantity instanceof Response) return quantity;
  const item: SubscriptionItem = {
    id: newId('si_'),
    object: 'subscription_item',
    created: start,
    price,
    quantity,
    subscription,
    current_period_start: start,
    current_period_end: end ?? addInterval(start, price.recurring),
    metadata: strings(spec.metadata),
  };
  return item;
}

function prorate(sub: Subscription, item: SubscriptionItem, before: { price: Price; quantity: number }, t: number) {
  const { current_period_start: start, current_period_end: end } = item;
  const fraction = Math.max(0, Math.min(1, (end - t) / Math.max(1, end - start)));
  const day = new Date(t * 1000).toISOString().slice(0, 10);
  const line = (amount: number, description: string): InvoiceItem => ({
    id: newId('ii_'),
    object: 'invoiceitem',
    date: t,
    customer: sub.customer,
    amount: Math.round(amount * fraction),
    currency: sub.currency,
    description,
    proration: true,
    period: { start: t, end },
    invoice: null,
    parent: { type: 'subscription_details', subscription_details: { subscription: sub.id, subscription_item: item.id } },
    livemode: false,
  });
  return [
    line(-before.price.unit_amount * before.quantity, `Unused time on ${before.quantity} × ${before.price.nickname} after ${day}`),
    line(item.price.unit_amount * item.quantity, `Remaining time on ${item.quantity} × ${item.price.nickname} after ${day}`),
  ];
}
