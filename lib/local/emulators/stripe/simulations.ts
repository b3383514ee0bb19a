// The Stripe emulator's control endpoints: its test hooks beside the kit's, and the simulations of
// what Stripe does on its own, without an API call (a card payment confirmed or failing).
//
// Test hooks beside the kit's (no API key needed; bodies are JSON):
//   GET|POST /_clock    { advanceSeconds }  moves this emulator's clock forward (timestamps, key expiry);
//                       /_reset puts it back. Objects on a test clock keep that clock's time.
//   POST /_latency      { ms, count?, match? }  the next `count` matching POSTs take `ms` longer, their
//                       key in flight meanwhile (to see the 409)
//   GET  /_latency      { pending: slow-downs not yet taken, inFlight: Idempotency-Keys whose request runs }
//   GET  /_events/:id   one recorded event, whole (`/_inspect` lists them: id, type, created, objectId,
//                       delivery { status, attempts, lastStatus, lastError })
//   GET  /_deliveries   { endpoint, pending: delivery faults, held: event ids, queued: event ids }
//   POST /_deliveries   a delivery fault, for events recorded from now on (201 { pending }):
//                       { mode: 'delay', ms, count = 1 }  the next `count` deliveries wait `ms` first
//                         (the ones after wait behind them: late, still in order)
//                       { mode: 'duplicate', count = 1 }  the next `count` events are delivered twice
//                       { mode: 'reorder', count = 2 }  the next `count` events are delivered in reverse
//                         order, once the last of them is recorded (or on release)
//                       { mode: 'hold', count? }  the next `count` events (every one, without count)
//                         wait until released
//   POST /_deliveries/release  { order?: 'recorded' | 'reverse', eventIds?: string[] }  ends the holds
//                       and reorder batches (pending ones too) and sends what they held: `eventIds` first,
//                       in that order, then the rest in `order` (default 'recorded'); 200 { released }
//   POST /_deliveries/redeliver  { eventId }  sends a recorded event again, past any fault (same id and
//                       body, fresh signature); 202, 404 unknown event, 409 no endpoint
//   POST /_simulate/payment-succeeded  { subscriptionId }  pays the subscription's open invoice (what the
//                       portal's card confirmation does): invoice.paid, then the subscription turns
//                       active (from incomplete or past_due) with customer.subscription.updated
//   POST /_simulate/payment-failed  { subscriptionId }  its next payment fails: an active subscription
//                       gets a new open invoice for its items and pending prorations (`subscription_cycle`,
//                       the period is not advanced), invoice.created, invoice.payment_failed, then
//                       past_due and customer.subscription.updated; one with an open invoice (incomplete,
//                       past_due) gets a failed attempt on it (invoice.payment_failed) and keeps its status.
//                       Both: 200 { subscription, invoice }, 400 for an unknown or canceled subscription
//                       or (succeeded) no open invoice
//   POST /_simulate/advance-clock  { clockId? | customerId?, by: 'day' | 'week' | 'month' }  advances a
//                       test clock (the one given, or the customer's) by one day, week or month, as
//                       POST /v1/test_helpers/test_clocks/:id/advance does, but answers once it is done:
//                       200 { clock, events: the events it recorded }; 400 as Stripe refuses the advance,
//                       or for a customer not on a clock, 404 an unknown clock or customer
import * as z from 'zod';
import { json, type Router } from '../kit';
import { refusal, type Clocks } from './clocks';
import { findEvent, summary, type Events } from './events';
import { newInvoice, openInvoiceOf, payInvoice, renewalLines } from './invoices';
import { addInterval } from './prices';
import { invoiceSnapshot, subSnapshot } from './render';
import { now, type DeliveryFault, type Invoice, type Latency, type Settings, type StripeState, type Subscription } from './state';
import { find } from './wire';

const clockSchema = z.strictObject({ advanceSeconds: z.number().int().min(0).max(10 * 365 * 86_400) });
const latencySchema = z.strictObject({
  ms: z.number().int().min(1).max(60_000),
  count: z.number().int().min(1).max(1000).default(1),
  match: z.string().min(1).optional(),
}) satisfies z.ZodType<Latency>;
const count = z.number().int().min(1).max(1000);
const deliveryFaultSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('delay'), ms: z.number().int().min(1).max(60_000), count: count.default(1) }),
  z.strictObject({ mode: z.literal('duplicate'), count: count.default(1) }),
  z.strictObject({ mode: z.literal('reorder'), count: count.min(2).default(2) }),
  z.strictObject({ mode: z.literal('hold'), count: count.optional() }),
]) satisfies z.ZodType<DeliveryFault>;
const releaseSchema = z.strictObject({
  order: z.enum(['recorded', 'reverse']).default('recorded'),
  eventIds: z.array(z.string().min(1)).max(1000).optional(),
});
const redeliverSchema = z.strictObject({ eventId: z.string().min(1) });
const simulateSchema = z.strictObject({ subscriptionId: z.string().min(1) });
const advanceSchema = z.strictObject({
  clockId: z.string().min(1).optional(),
  customerId: z.string().min(1).optional(),
  by: z.enum(['day', 'week', 'month']),
});

export function simulationRoutes(
  state: StripeState,
  settings: Pick<Settings, 'idempotencyTtlSeconds'>,
  routes: Router,
  events: Events,
  clocks: Clocks,
): void {
  // --- the clock and slow requests ------------------------------------------------------------------
  const clock = () => json({ now: now(state), offsetSeconds: state.offsetSeconds, idempotencyTtlSeconds: settings.idempotencyTtlSeconds });
  routes.get('/_clock', clock);
  routes.post('/_clock', async ({ req }) => {
    const body = await hookBody(req, clockSchema);
    if (body instanceof Response) return body;
    state.offsetSeconds += body.advanceSeconds;
    return clock();
  });
  routes.get('/_latency', () => json({ pending: state.latencies, inFlight: [...state.inFlight] }));
  routes.post('/_latency', async ({ req }) => {
    const body = await hookBody(req, latencySchema);
    if (body instanceof Response) return body;
    state.latencies.push(body);
    return json({ pending: state.latencies }, 201);
  });

  // --- events and their delivery --------------------------------------------------------------------
  const deliveries = state.deliveries;
  routes.get('/_events/:id', ({ params }) => {
    const rec = findEvent(state, params.id!);
    return rec ? json(rec.event) : json({ message: `No such event: '${params.id}'` }, 404);
  });
  routes.get('/_deliveries', () =>
    json({
      endpoint: deliveries.endpoint ?? null,
      pending: deliveries.faults,
      held: [...deliveries.held, ...(deliveries.batch?.records ?? [])].map((r) => r.event.id),
      queued: deliveries.queue.map((r) => r.event.id),
    }),
  );
  routes.post('/_deliveries', async ({ req }) => {
    const body = await hookBody(req, deliveryFaultSchema);
    if (body instanceof Response) return body;
    deliveries.faults.push(body);
    return json({ pending: deliveries.faults }, 201);
  });
  routes.post('/_deliveries/release', async ({ req }) => {
    const body = await hookBody(req, releaseSchema);
    if (body instanceof Response) return body;
    const released = events.release(body.order, body.eventIds);
    if ('notHeld' in released) return json({ message: `Event ${released.notHeld} is not held.` }, 400);
    return json({ released: released.map((r) => r.event.id) });
  });
  routes.post('/_deliveries/redeliver', async ({ req }) => {
    const body = await hookBody(req, redeliverSchema);
    if (body instanceof Response) return body;
    const rec = findEvent(state, body.eventId);
    if (!rec) return json({ message: `No such event: '${body.eventId}'` }, 404);
    if (!deliveries.endpoint) return json({ message: 'Nothing to deliver to: no endpoint is set (forwardTo).' }, 409);
    events.enqueue([rec]);
    return json({ queued: rec.event.id }, 202);
  });

  // --- simulations: what Stripe does on its own, without an API call -------------------------------
  /** The subscription a simulation is about, or the 400 for an unknown or canceled one. */
  async function simulated(req: Request): Promise<Subscription | Response> {
    const body = await hookBody(req, simulateSchema);
    if (body instanceof Response) return body;
    const sub = find(state.resources.subscriptions, body.subscriptionId);
    if (!sub) return json({ message: `No such subscription: '${body.subscriptionId}'` }, 400);
    if (sub.status === 'canceled') return json({ message: `Subscription ${sub.id} is canceled.` }, 400);
    return sub;
  }
  const simulation = (sub: Subscription, invoice: Invoice) => json({ subscription: subSnapshot(state, sub), invoice: invoiceSnapshot(invoice) });

  routes.post('/_simulate/payment-succeeded', async ({ req }) => {
    const sub = await simulated(req);
    if (sub instanceof Response) return sub;
    const invoice = openInvoiceOf(state, sub);
    if (!invoice) return json({ message: `Subscription ${sub.id} has no open invoice to pay.` }, 400);
    payInvoice(state, events, invoice);
    return simulation(sub, invoice);
  });

  routes.post('/_simulate/payment-failed', async ({ req }) => {
    const sub = await simulated(req);
    if (sub instanceof Response) return sub;
    const before = subSnapshot(state, sub);
    let invoice = openInvoiceOf(state, sub);
    if (!invoice) {
      // The renewal: the items' prices and the prorations left from plan changes, for the current period.
      const { amount, pending } = renewalLines(state, sub);
      invoice = newInvoice(state, sub, amount, 'subscription_cycle', true);
      for (const line of pending) line.invoice = invoice.id;
      sub.latest_invoice = invoice.id;
      events.emit('invoice.created', invoiceSnapshot(invoice));
    }
    Object.assign(invoice, { attempted: true, attempt_count: invoice.attempt_count + 1 });
    events.emit('invoice.payment_failed', invoiceSnapshot(invoice));
    if (sub.status === 'active') sub.status = 'past_due';
    events.emitUpdate('customer.subscription.updated', before, subSnapshot(state, sub));
    return simulation(sub, invoice);
  });

  routes.post('/_simulate/advance-clock', async ({ req }) => {
    const body = await hookBody(req, advanceSchema);
    if (body instanceof Response) return body;
    if (!body.clockId && !body.customerId) return json({ message: 'Name the clock: clockId, or customerId for the clock a customer lives on.' }, 400);
    let clockId = body.clockId;
    if (!clockId) {
      const customer = find(state.resources.customers, body.customerId);
      if (!customer) return json({ message: `No such customer: '${body.customerId}'` }, 404);
      if (!customer.test_clock) return json({ message: `Customer ${customer.id} is not on a test clock.` }, 400);
      clockId = customer.test_clock;
    }
    const clock = find(state.resources.testClocks, clockId);
    if (!clock || clock.deleted) return json({ message: `No such test clock: '${clockId}'` }, 404);
    const target = addInterval(clock.frozen_time, { interval: body.by, interval_count: 1 });
    const refused = refusal(clocks, clock, target);
    if (refused) return json({ message: refused.message }, 400);
    const from = state.events.length;
    clocks.start(clock, target);
    clocks.finish(clock);
    return json({ clock, events: state.events.slice(from).map(summary).map(({ delivery: _delivery, ...e }) => e) });
  });
}

/** A hook's JSON body checked against its schema, or the 400. */
async function hookBody<T>(req: Request, schema: z.ZodType<T>): Promise<T | Response> {
  // An empty body is `{}` (e.g. a release without options); one that is not JSON fails the schema.
  const text = await req.text();
  let input: unknown;
  try {
    input = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    input = undefined;
  }
  const parsed = schema.safeParse(input);
  return parsed.success ? parsed.data : json({ message: 'invalid body', issues: parsed.error.issues }, 400);
}
