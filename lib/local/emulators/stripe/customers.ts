// Stripe customers: create, search (the part of Stripe's query language wire.ts knows), retrieve
// (a deleted one answers `{ id, object, deleted: true }`), and delete, which cancels the customer's
// subscriptions with it as Stripe does. Each change records its event.
import type { Router } from '../kit';
import type { Events } from './events';
import type { PostRoute } from './idempotency';
import { subSnapshot } from './render';
import { now, type Customer, type StripeState } from './state';
import { fail, find, missingParam, newId, noSuch, ok, parseSearch, str, strings } from './wire';

export function customerRoutes(state: StripeState, routes: Router, post: PostRoute, events: Events): void {
  post('/v1/customers', (_ctx, form) => {
    const customer: Customer = {
      id: newId('cus_'),
      object: 'customer',
      created: now(state),
      email: str(form.email) ?? null,
      name: str(form.name) ?? null,
      metadata: strings(form.metadata),
      livemode: false,
    };
    state.resources.customers.push(customer);
    events.emit('customer.created', { ...customer });
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
  routes.delete('/v1/customers/:id', ({ params }) => {
    const customer = find(state.resources.customers, params.id);
    if (!customer || customer.deleted) return noSuch('customer', params.id!);
    customer.deleted = true;
    // Stripe cancels the customer's subscriptions with it.
    const t = now(state);
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
