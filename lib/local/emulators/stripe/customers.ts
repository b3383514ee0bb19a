// Stripe customers: create (optionally on a test clock, `test_clock`, and with a card: `payment_method`
// attached and made `invoice_settings[default_payment_method]`), search (the part of Stripe's query
// language wire.ts knows), retrieve (a deleted one answers `{ id, object, deleted: true }`), update
// (email, name, metadata, the default card: how a card is fixed after a failed renewal), and delete,
// which cancels the customer's subscriptions with it as Stripe does. Each change records its event.
import type { Router } from '../kit';
import type { Events } from './events';
import type { PostRoute } from './idempotency';
import { attachable, notOwnCard, ownCard } from './payment-methods';
import { subSnapshot } from './render';
import { clockTime, nowFor, type Customer, type StripeState } from './state';
import { fail, find, mergeMetadata, missingParam, newId, noSuch, obj, ok, parseSearch, str, strings } from './wire';

export function customerRoutes(state: StripeState, routes: Router, post: PostRoute, events: Events): void {
  post('/v1/customers', (_ctx, form) => {
    const clockId = str(form.test_clock);
    const clock = clockId === undefined ? undefined : find(state.resources.testClocks, clockId);
    if (clockId !== undefined && (!clock || clock.deleted)) return noSuch('test clock', clockId, 'test_clock', 400);
    const id = newId('cus_');
    const cardId = str(form.payment_method);
    const attach = cardId === undefined ? undefined : attachable(state, cardId, id, 'payment_method');
    if (attach instanceof Response) return attach;
    const defaultCard = str(obj(form.invoice_settings).default_payment_method);
    // Only the card attached with it can be a new customer's default (Stripe's test mode allows the test id for it).
    if (defaultCard !== undefined && defaultCard !== cardId) return notOwnCard(defaultCard, 'invoice_settings[default_payment_method]');
    const customer: Customer = {
      id,
      object: 'customer',
      created: clockTime(state, clock?.id),
      email: str(form.email) ?? null,
      name: str(form.name) ?? null,
      metadata: strings(form.metadata),
      invoice_settings: { default_payment_method: null },
      test_clock: clock?.id ?? null,
      livemode: false,
    };
    state.resources.customers.push(customer);
    const card = attach?.();
    if (card && defaultCard !== undefined) customer.invoice_settings.default_payment_method = card.id;
    events.emit('customer.created', { ...customer });
    if (card) events.emit('payment_method.attached', { ...card });
    return ok(customer);
  });
  // Before `/v1/customers/:id`, which would take `search` for an id.
  routes.get('/v1/customers/search', ({ url }) => {
    const query = url.searchParams.get('query');
    if (!query) return missingParam('query');
    const clauses = parseSearch(query);
    if (!clauses) {
      return fail(400, {
        param: 'query',
        message: `The emulator could not parse the search query \`${query}\` (it knows email, name and metadata['key'] with ':' and AND).`,
      });
    }
    const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return fail(400, { param: 'limit', message: 'limit must be an integer from 1 to 100.' });
    const field = (c: Customer, name: string) => (name.startsWith('metadata.') ? c.metadata[name.slice(9)] : name === 'email' ? c.email : c.name);
    // Deleted customers are not searchable. Newest first.
    const hits = state.resources.customers.filter((c) => !c.deleted && clauses.every((q) => field(c, q.field) === q.value)).reverse();
    return ok({ object: 'search_result', url: '/v1/customers/search', has_more: hits.length > limit, next_page: null, data: hits.slice(0, limit) });
  });
  routes.get('/v1/customers/:id', ({ params }) => {
    const customer = find(state.resources.customers, params.id);
    if (customer?.deleted) return ok({ id: customer.id, object: 'customer', deleted: true });
    return customer ? ok(customer) : noSuch('customer', params.id!);
  });
  post('/v1/customers/:id', ({ params }, form) => {
    const customer = find(state.resources.customers, params.id);
    if (!customer || customer.deleted) return noSuch('customer', params.id!);
    const settings = obj(form.invoice_settings);
    const defaultCard = str(settings.default_payment_method);
    // An empty value unsets it; anything else must be a card of this customer's.
    const card = defaultCard ? ownCard(state, defaultCard, customer.id, 'invoice_settings[default_payment_method]') : undefined;
    if (card instanceof Response) return card;
    const before = { ...customer, invoice_settings: { ...customer.invoice_settings } };
    if (defaultCard !== undefined) customer.invoice_settings = { default_payment_method: card?.id ?? null };
    if (form.email !== undefined) customer.email = str(form.email) || null;
    if (form.name !== undefined) customer.name = str(form.name) || null;
    customer.metadata = mergeMetadata(customer.metadata, form.metadata);
    events.emitUpdate('customer.updated', before, { ...customer });
    return ok(customer);
  });
  routes.delete('/v1/customers/:id', ({ params }) => {
    const customer = find(state.resources.customers, params.id);
    if (!customer || customer.deleted) return noSuch('customer', params.id!);
    customer.deleted = true;
    // Stripe cancels the customer's subscriptions with it.
    const t = nowFor(state, customer.id);
    for (const sub of state.resources.subscriptions) {
      if (sub.customer !== customer.id || sub.status === 'canceled') continue;
      Object.assign(sub, { status: 'canceled', canceled_at: t, ended_at: t });
      events.emit('customer.subscription.deleted', subSnapshot(state, sub));
    }
    const { deleted: _deleted, ...last } = customer;
    events.emit('customer.deleted', last);
    return ok({ id: customer.id, object: 'customer', deleted: true });
  });
}
