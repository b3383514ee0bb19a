// Stripe emulator: the v1 billing calls Fonella makes (customers, subscriptions, subscription schedules,
// paying an invoice out of band), form-encoded and answered in Stripe's shapes. `signedEvent` signs
// webhook payloads with the endpoint secret the way Stripe does.
//
// Idempotency-Key as Stripe keeps it (docs.stripe.com/idempotency): the first answer of a key is
// replayed for the same request, the same key with other parameters is a 400 `idempotency_error`, the
// same key while its first request still runs is a 409 `idempotency_error` (nothing stored, the SDKs
// retry it), and a key is forgotten 24 hours after its first use (then the request runs again).
//
// Webhook events as Stripe makes them: every change records an event (`evt_…`, `created` on this
// emulator's clock, `data.object` a deep snapshot of the object as the API renders it at that moment,
// `data.previous_attributes` on updates: the old values of the top-level fields that changed).
// `forwardTo(url)` delivers them as `stripe listen --forward-to` does: one at a time, in event order,
// JSON signed with the webhook secret (`Stripe-Signature: t=…,v1=…`, `t` the real time of each attempt,
// so a receiver's 300 s tolerance holds after /_clock moved this clock); a non-2xx answer or a network
// error is retried after 100, 200 and 400 ms, then given up (`failed`). Stripe retries for days; locally
// a few tries show the behaviour. Without an endpoint events are only recorded (`no_endpoint`).
//
// Test hooks beside the kit's (no API key needed; bodies are JSON):
//   GET|POST /_clock    { advanceSeconds }  moves this emulator's clock forward (timestamps, key expiry);
//                       /_reset puts it back
//   POST /_latency      { ms, count?, match? }  the next `count` matching POSTs take `ms` longer, their
//                       key in flight meanwhile (to see the 409)
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
import { createHmac, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { DEFAULT_PLANS, LOCAL_PLAN_PRICES } from '../../../../shared/config/plans';
import { Router, bearer, json, type EmulatorDefinition, type RouteContext } from '../kit';

type Form = { [key: string]: FormValue };
type FormValue = string | Form | FormValue[];
type Metadata = Record<string, string>;

export interface Recurring {
  interval: 'day' | 'week' | 'month' | 'year';
  interval_count: number;
}
export interface Price {
  id: string;
  object: 'price';
  active: boolean;
  currency: string;
  unit_amount: number;
  nickname: string;
  product: string;
  recurring: Recurring;
  type: 'recurring';
  livemode: false;
}
export interface Customer {
  id: string;
  object: 'customer';
  created: number;
  email: string | null;
  name: string | null;
  metadata: Metadata;
  livemode: false;
  /** Set once the customer is deleted: Stripe still answers its id with `{ id, object, deleted: true }`. */
  deleted?: true;
}
export interface SubscriptionItem {
  id: string;
  object: 'subscription_item';
  created: number;
  price: Price;
  quantity: number;
  subscription: string;
  current_period_start: number;
  current_period_end: number;
  metadata: Metadata;
}
export interface Subscription {
  id: string;
  object: 'subscription';
  created: number;
  customer: string;
  status: 'incomplete' | 'active' | 'past_due' | 'canceled';
  items: { object: 'list'; data: SubscriptionItem[]; has_more: false; total_count: number; url: string };
  latest_invoice: string | null;
  schedule: string | null;
  currency: string;
  collection_method: 'charge_automatically';
  billing_cycle_anchor: number;
  start_date: number;
  cancel_at_period_end: false;
  canceled_at: number | null;
  ended_at: number | null;
  payment_settings: { save_default_payment_method: string | null };
  metadata: Metadata;
  livemode: false;
}
export interface Invoice {
  id: string;
  object: 'invoice';
  created: number;
  customer: string;
  status: 'open' | 'paid';
  billing_reason: 'subscription_create' | 'subscription_update' | 'subscription_cycle';
  currency: string;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  /** Payment attempts made (failed ones included). */
  attempt_count: number;
  attempted: boolean;
  period_start: number;
  period_end: number;
  parent: { type: 'subscription_details'; subscription_details: { subscription: string; metadata: Metadata } };
  /** Stripe returns it only when expanded (`latest_invoice.confirmation_secret`). */
  confirmation_secret: { type: 'payment_intent'; client_secret: string } | null;
  livemode: false;
}
export interface InvoiceItem {
  id: string;
  object: 'invoiceitem';
  date: number;
  customer: string;
  amount: number;
  currency: string;
  description: string;
  proration: true;
  period: { start: number; end: number };
  invoice: string | null;
  parent: { type: 'subscription_details'; subscription_details: { subscription: string; subscription_item: string } };
  livemode: false;
}
export interface SchedulePhase {
  start_date: number;
  end_date: number;
  items: { price: string; quantity: number; metadata: Metadata }[];
  proration_behavior: string;
  metadata: Metadata;
}
export interface SubscriptionSchedule {
  id: string;
  object: 'subscription_schedule';
  created: number;
  customer: string;
  subscription: string | null;
  status: 'not_started' | 'active' | 'completed' | 'released' | 'canceled';
  end_behavior: string;
  phases: SchedulePhase[];
  current_phase: { start_date: number; end_date: number } | null;
  released_at: number | null;
  released_subscription: string | null;
  canceled_at: number | null;
  completed_at: number | null;
  metadata: Metadata;
  livemode: false;
}

// Types, not interfaces: EmulatorDefinition's inspect() and signedEvent's callers want Records.
export type StripeEvent = {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
};
/**
 * no_endpoint: recorded while nothing was forwarded to; held: waiting for a release (hold, reorder);
 * pending: queued or being sent; delivered: a 2xx; failed: every try of the last delivery failed.
 */
export type DeliveryStatus = 'no_endpoint' | 'held' | 'pending' | 'delivered' | 'failed';
export type EventSummary = {
  id: string;
  type: string;
  created: number;
  /** The id of the object in `data.object`. */
  objectId: string;
  /** Over every delivery of the event (a duplicate or a redelivery adds attempts). */
  delivery: { status: DeliveryStatus; attempts: number; lastStatus: number | null; lastError: string | null };
};
type Resources = {
  customers: Customer[];
  subscriptions: Subscription[];
  subscriptionSchedules: SubscriptionSchedule[];
  invoices: Invoice[];
  /** Proration lines from plan changes (`proration_behavior: create_prorations`), pending until the next invoice. */
  invoiceItems: InvoiceItem[];
};
export type StripeEmulatorState = Resources & {
  /** Every event recorded, oldest first. */
  events: EventSummary[];
};

export interface StripeEmulator extends EmulatorDefinition {
  inspect(): StripeEmulatorState;
  /** A webhook body and the Stripe-Signature header for it, signed with this emulator's webhook secret. */
  signedEvent(
    type: string,
    object: Record<string, unknown>,
    opts?: { timestamp?: number },
  ): { payload: string; header: string; event: StripeEvent };
  /**
   * Delivers the events recorded from now on to `url` (as `stripe listen --forward-to` does); undefined
   * stops delivering and drops what was queued or held.
   */
  forwardTo(url: string | undefined): void;
}

const API_VERSION = '2026-10-28.endive';
// The prices the local plans are billed with: the plan catalogue's own ids and amounts (one config).
const PRICES: Price[] = DEFAULT_PLANS.map((plan) => ({
  id: LOCAL_PLAN_PRICES[plan.id],
  object: 'price',
  active: true,
  currency: plan.currency.toLowerCase(),
  unit_amount: plan.monthlyPriceCents,
  nickname: plan.name,
  product: `prod_${plan.id}`,
  recurring: { interval: 'month', interval_count: 1 },
  type: 'recurring',
  livemode: false,
}));
/** How long Stripe keeps an Idempotency-Key (at least 24 hours; the emulator forgets it at exactly 24). */
export const IDEMPOTENCY_TTL_SECONDS = 86_400;
const EXPANDABLE = new Set(['customer', 'latest_invoice', 'latest_invoice.confirmation_secret']);
const PRORATION = ['create_prorations', 'none', 'always_invoice'];
const END_BEHAVIOR = ['release', 'cancel', 'none', 'renew'];
const INTERVALS = ['day', 'week', 'month', 'year'];

export interface StripeEmulatorOptions {
  secretKey?: string;
  webhookSecret?: string;
  /** How long an Idempotency-Key is remembered; Stripe's 24 hours unless a test wants less. */
  idempotencyTtlSeconds?: number;
  /** The waits before each retry of a failed delivery; default 100, 200, 400 ms (four tries in all). */
  retryDelaysMs?: number[];
  /** How long one delivery attempt may take before it counts as failed; default 5 s. */
  deliveryTimeoutMs?: number;
}

const clockSchema = z.strictObject({ advanceSeconds: z.number().int().min(0).max(10 * 365 * 86_400) });
const latencySchema = z.strictObject({
  ms: z.number().int().min(1).max(60_000),
  count: z.number().int().min(1).max(1000).default(1),
  match: z.string().min(1).optional(),
});
const count = z.number().int().min(1).max(1000);
const deliveryFaultSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('delay'), ms: z.number().int().min(1).max(60_000), count: count.default(1) }),
  z.strictObject({ mode: z.literal('duplicate'), count: count.default(1) }),
  z.strictObject({ mode: z.literal('reorder'), count: count.min(2).default(2) }),
  z.strictObject({ mode: z.literal('hold'), count: count.optional() }),
]);
type DeliveryFault = z.infer<typeof deliveryFaultSchema>;
const releaseSchema = z.strictObject({
  order: z.enum(['recorded', 'reverse']).default('recorded'),
  eventIds: z.array(z.string().min(1)).max(1000).optional(),
});
const redeliverSchema = z.strictObject({ eventId: z.string().min(1) });
const simulateSchema = z.strictObject({ subscriptionId: z.string().min(1) });

export function createStripeEmulator(opts: StripeEmulatorOptions = {}): StripeEmulator {
  const secretKey = opts.secretKey ?? 'sk_test_local';
  const webhookSecret = opts.webhookSecret ?? 'whsec_local';
  const ttlSeconds = opts.idempotencyTtlSeconds ?? IDEMPOTENCY_TTL_SECONDS;
  const retryDelaysMs = opts.retryDelaysMs ?? [100, 200, 400];
  const deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 5000;
  const state: Resources = { customers: [], subscriptions: [], subscriptionSchedules: [], invoices: [], invoiceItems: [] };
  const replays = new Map<string, { fingerprint: string; status: number; body: string; expiresAt: number }>();
  const inFlight = new Set<string>();
  let latencies: z.infer<typeof latencySchema>[] = [];
  let offsetSeconds = 0;
  /** This emulator's clock, in Unix seconds: real time plus what /_clock advanced. */
  const now = () => Math.floor(Date.now() / 1000) + offsetSeconds;
  const routes = new Router();

  /** POST routes get the parsed form, behind Stripe's Idempotency-Key handling. */
  const post = (pattern: string, handler: (ctx: RouteContext, form: Form) => Response | Promise<Response>) =>
    routes.post(pattern, async (ctx) => {
      const text = await ctx.req.text();
      const key = ctx.req.headers.get('idempotency-key');
      if (!key) return run(ctx, text, handler);
      const fingerprint = `${ctx.url.pathname}?${text}`;
      const seen = replays.get(key);
      if (seen && seen.expiresAt <= now()) replays.delete(key);
      else if (seen) {
        if (seen.fingerprint !== fingerprint) {
          return fail(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          });
        }
        return new Response(seen.body, { status: seen.status, headers: { ...headers(), 'idempotent-replayed': 'true' } });
      }
      if (inFlight.has(key)) {
        return fail(409, {
          type: 'idempotency_error',
          code: 'idempotency_key_in_use',
          message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
        });
      }
      inFlight.add(key);
      const startedAt = now();
      try {
        const res = await run(ctx, text, handler);
        // Like Stripe: a request that failed validation (4xx) is not stored, one that ran is.
        if (res.status < 400 || res.status >= 500) {
          replays.set(key, { fingerprint, status: res.status, body: await res.clone().text(), expiresAt: startedAt + ttlSeconds });
        }
        return res;
      } finally {
        inFlight.delete(key);
      }
    });

  async function run(ctx: RouteContext, text: string, handler: (ctx: RouteContext, form: Form) => Response | Promise<Response>) {
    const slow = latencies.find((l) => !l.match || ctx.url.pathname.includes(l.match));
    if (slow) {
      slow.count -= 1;
      if (slow.count <= 0) latencies = latencies.filter((l) => l !== slow);
      await new Promise((resolve) => setTimeout(resolve, slow.ms));
    }
    return handler(ctx, parseForm(text));
  }

  // --- test hooks ----------------------------------------------------------------------------------
  const hookBody = async <T>(req: Request, schema: z.ZodType<T>): Promise<T | Response> => {
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
  };
  const clock = () => json({ now: now(), offsetSeconds, idempotencyTtlSeconds: ttlSeconds });
  routes.get('/_clock', clock);
  routes.post('/_clock', async ({ req }) => {
    const body = await hookBody(req, clockSchema);
    if (body instanceof Response) return body;
    offsetSeconds += body.advanceSeconds;
    return clock();
  });
  routes.post('/_latency', async ({ req }) => {
    const body = await hookBody(req, latencySchema);
    if (body instanceof Response) return body;
    latencies.push(body);
    return json({ pending: latencies }, 201);
  });


  // --- events and their delivery -----------------------------------------------------------------
  interface EventRecord {
    event: StripeEvent;
    delivery: EventSummary['delivery'];
  }
  const records: EventRecord[] = [];
  let endpoint: string | undefined;
  let deliveryFaults: DeliveryFault[] = [];
  /** Deliveries waiting their turn; an event delivered twice is in it twice. */
  let queue: EventRecord[] = [];
  /** Held by `hold` until a release. */
  let held: EventRecord[] = [];
  /** A `reorder` batch being filled: sent reversed once `size` events are in it. */
  let batch: { size: number; events: number; records: EventRecord[] } | undefined;
  /** Bumped by /_reset and forwardTo(undefined): a delivery of an older generation stops. */
  let generation = 0;
  let pumping = false;

  const signature = (payload: string, t: number) =>
    `t=${t},v1=${createHmac('sha256', webhookSecret).update(`${t}.${payload}`).digest('hex')}`;

  /** Records an event about `object` (snapshotted now) and routes it to the endpoint, if there is one. */
  function emit(type: string, object: Record<string, unknown>, previous?: Record<string, unknown>) {
    const event = buildEvent(type, structuredClone(object), now(), endpoint ? 1 : 0, previous && structuredClone(previous));
    const rec: EventRecord = { event, delivery: { status: endpoint ? 'pending' : 'no_endpoint', attempts: 0, lastStatus: null, lastError: null } };
    records.push(rec);
    if (endpoint) route(rec);
  }

  /** Records `type` when `after` differs from `before`, with the old values of the fields that changed. */
  function emitUpdate(type: string, before: Record<string, unknown>, after: Record<string, unknown>) {
    const changed = Object.keys({ ...before, ...after }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (changed.length > 0) emit(type, after, Object.fromEntries(changed.map((k) => [k, before[k] ?? null])));
  }

  /** Takes one use of the first pending fault of `mode`, if any (a hold without count is never used up). */
  function consume<M extends DeliveryFault['mode']>(mode: M): Extract<DeliveryFault, { mode: M }> | undefined {
    const fault = deliveryFaults.find((f): f is Extract<DeliveryFault, { mode: M }> => f.mode === mode);
    if (!fault || fault.count === undefined) return fault;
    fault.count -= 1;
    if (fault.count <= 0) deliveryFaults = deliveryFaults.filter((f) => f !== fault);
    return fault;
  }

  /** Where a new event goes: the faults decide whether it is doubled, held, batched to be reversed, or queued. */
  function route(rec: EventRecord) {
    const copies = consume('duplicate') ? [rec, rec] : [rec];
    if (consume('hold')) {
      rec.delivery.status = 'held';
      held.push(...copies);
      return;
    }
    if (!batch) {
      const reorder = deliveryFaults.find((f) => f.mode === 'reorder');
      if (reorder) {
        deliveryFaults = deliveryFaults.filter((f) => f !== reorder);
        batch = { size: reorder.count, events: 0, records: [] };
      }
    }
    if (batch) {
      rec.delivery.status = 'held';
      batch.records.push(...copies);
      batch.events += 1;
      if (batch.events < batch.size) return;
      const reversed = batch.records.reverse();
      batch = undefined;
      return enqueue(reversed);
    }
    enqueue(copies);
  }

  function enqueue(list: EventRecord[]) {
    for (const rec of list) rec.delivery.status = 'pending';
    queue.push(...list);
    void pump();
  }

  /** Sends the queue one delivery at a time, in order. */
  async function pump() {
    if (pumping) return;
    pumping = true;
    try {
      for (let rec = queue.shift(); rec; rec = queue.shift()) {
        const gen = generation;
        const delay = consume('delay');
        if (delay) await sleep(delay.ms);
        if (gen === generation) await deliver(rec, gen);
      }
    } finally {
      pumping = false;
    }
  }

  async function deliver(rec: EventRecord, gen: number) {
    const payload = JSON.stringify(rec.event, null, 2);
    rec.delivery.status = 'pending';
    for (let retry = 0; ; retry++) {
      if (!endpoint || gen !== generation) return;
      let status: number | null = null;
      let error: string | null = null;
      rec.delivery.attempts += 1;
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            // Signed anew for each attempt, at the real time: the receiver checks it against its own clock.
            'stripe-signature': signature(payload, Math.floor(Date.now() / 1000)),
          },
          body: payload,
          signal: AbortSignal.timeout(deliveryTimeoutMs),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) error = `HTTP ${res.status}`;
      } catch (err) {
        const code = (err as { cause?: { code?: unknown } }).cause?.code;
        error = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
      }
      if (gen !== generation) return;
      Object.assign(rec.delivery, { lastStatus: status, lastError: error });
      if (error === null) {
        rec.delivery.status = 'delivered';
        return;
      }
      const wait = retryDelaysMs[retry];
      if (wait === undefined) {
        rec.delivery.status = 'failed';
        return;
      }
      await sleep(wait);
    }
  }

  /** Drops what waits to be sent (reset, or no endpoint any more); a delivery under way stops. */
  function dropDeliveries(status: DeliveryStatus | undefined) {
    generation += 1;
    if (status) for (const rec of [...queue, ...held, ...(batch?.records ?? [])]) rec.delivery.status = status;
    queue = [];
    held = [];
    batch = undefined;
  }

  const summary = ({ event, delivery }: EventRecord): EventSummary => ({
    id: event.id,
    type: event.type,
    created: event.created,
    objectId: String(event.data.object.id ?? ''),
    delivery: { ...delivery },
  });
  const findEvent = (id: string) => records.find((r) => r.event.id === id);

  routes.get('/_events/:id', ({ params }) => {
    const rec = findEvent(params.id!);
    return rec ? json(rec.event) : json({ message: `No such event: '${params.id}'` }, 404);
  });
  const deliveries = (status = 200) =>
    json(
      {
        endpoint: endpoint ?? null,
        pending: deliveryFaults,
        held: [...held, ...(batch?.records ?? [])].map((r) => r.event.id),
        queued: queue.map((r) => r.event.id),
      },
      status,
    );
  routes.get('/_deliveries', () => deliveries());
  routes.post('/_deliveries', async ({ req }) => {
    const body = await hookBody(req, deliveryFaultSchema);
    if (body instanceof Response) return body;
    deliveryFaults.push(body);
    return json({ pending: deliveryFaults }, 201);
  });
  routes.post('/_deliveries/release', async ({ req }) => {
    const body = await hookBody(req, releaseSchema);
    if (body instanceof Response) return body;
    const waiting = [...held, ...(batch?.records ?? [])].sort((a, b) => records.indexOf(a) - records.indexOf(b));
    if (body.order === 'reverse') waiting.reverse();
    const first: EventRecord[] = [];
    for (const id of new Set(body.eventIds ?? [])) {
      const mine = waiting.filter((r) => r.event.id === id);
      if (mine.length === 0) return json({ message: `Event ${id} is not held.` }, 400);
      first.push(...mine);
    }
    const released = [...first, ...waiting.filter((r) => !first.includes(r))];
    held = [];
    batch = undefined;
    deliveryFaults = deliveryFaults.filter((f) => f.mode !== 'hold' && f.mode !== 'reorder');
    enqueue(released);
    return json({ released: released.map((r) => r.event.id) });
  });
  routes.post('/_deliveries/redeliver', async ({ req }) => {
    const body = await hookBody(req, redeliverSchema);
    if (body instanceof Response) return body;
    const rec = findEvent(body.eventId);
    if (!rec) return json({ message: `No such event: '${body.eventId}'` }, 404);
    if (!endpoint) return json({ message: 'Nothing to deliver to: no endpoint is set (forwardTo).' }, 409);
    enqueue([rec]);
    return json({ queued: rec.event.id }, 202);
  });

  const find = <T extends { id: string }>(list: T[], id: string | undefined) => list.find((x) => x.id === id);
  const invoiceOf = (sub: Subscription) => find(state.invoices, sub.latest_invoice ?? undefined);

  function renderSubscription(sub: Subscription, expand: string[]) {
    const out: Record<string, unknown> = { ...sub };
    const invoice = invoiceOf(sub);
    if (invoice && expand.some((e) => e.startsWith('latest_invoice'))) {
      out.latest_invoice = renderInvoice(invoice, expand.includes('latest_invoice.confirmation_secret'));
    }
    if (expand.includes('customer')) out.customer = find(state.customers, sub.customer) ?? sub.customer;
    return out;
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

  function newInvoice(sub: Subscription, amount: number, reason: Invoice['billing_reason'], open: boolean): Invoice {
    const item = sub.items.data[0];
    const invoice: Invoice = {
      id: newId('in_'),
      object: 'invoice',
      created: now(),
      customer: sub.customer,
      status: open ? 'open' : 'paid',
      billing_reason: reason,
      currency: sub.currency,
      amount_due: amount,
      amount_paid: open ? 0 : amount,
      amount_remaining: open ? amount : 0,
      attempt_count: open ? 0 : 1,
      attempted: !open,
      period_start: item?.current_period_start ?? now(),
      period_end: item?.current_period_end ?? now(),
      parent: { type: 'subscription_details', subscription_details: { subscription: sub.id, metadata: { ...sub.metadata } } },
      confirmation_secret: open ? { type: 'payment_intent', client_secret: `${newId('pi_')}_secret_${token(24)}` } : null,
      livemode: false,
    };
    state.invoices.push(invoice);
    return invoice;
  }

  /** What an event carries: the object as the API renders it (ids, not expansions). */
  const subSnapshot = (sub: Subscription) => structuredClone(renderSubscription(sub, []));
  const invoiceSnapshot = (invoice: Invoice) => renderInvoice(invoice, false);
  const scheduleSnapshot = (schedule: SubscriptionSchedule) => structuredClone(schedule) as unknown as Record<string, unknown>;
  const invoicesOf = (sub: Subscription) => state.invoices.filter((i) => i.parent.subscription_details.subscription === sub.id);
  /** The subscription's open invoice: its latest if open, else its newest open one. */
  const openInvoiceOf = (sub: Subscription) =>
    [invoiceOf(sub), ...invoicesOf(sub).reverse()].find((i): i is Invoice => i?.status === 'open');

  /** An invoice paid (out of band, or the simulated card): invoice.paid, then a subscription with nothing left open turns active. */
  function payInvoice(invoice: Invoice) {
    Object.assign(invoice, {
      status: 'paid',
      amount_paid: invoice.amount_due,
      amount_remaining: 0,
      attempted: true,
      attempt_count: invoice.attempt_count + 1,
    });
    emit('invoice.paid', invoiceSnapshot(invoice));
    const sub = find(state.subscriptions, invoice.parent.subscription_details.subscription);
    if (!sub || (sub.status !== 'incomplete' && sub.status !== 'past_due') || openInvoiceOf(sub)) return;
    const before = subSnapshot(sub);
    sub.status = 'active';
    emitUpdate('customer.subscription.updated', before, subSnapshot(sub));
  }

  // --- customers ---------------------------------------------------------------------------------
  post('/v1/customers', (_ctx, form) => {
    const customer: Customer = {
      id: newId('cus_'),
      object: 'customer',
      created: now(),
      email: str(form.email) ?? null,
      name: str(form.name) ?? null,
      metadata: strings(form.metadata),
      livemode: false,
    };
    state.customers.push(customer);
    emit('customer.created', { ...customer });
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
    const hits = state.customers.filter((c) => !c.deleted && clauses.every((q) => field(c, q.field) === q.value)).reverse();
    return ok({ object: 'search_result', url: '/v1/customers/search', has_more: hits.length > limit, next_page: null, data: hits.slice(0, limit) });
  });
  routes.get('/v1/customers/:id', ({ params }) => {
    const customer = find(state.customers, params.id);
    if (customer?.deleted) return ok({ id: customer.id, object: 'customer', deleted: true });
    return customer ? ok(customer) : noSuch('customer', params.id!);
  });
  routes.delete('/v1/customers/:id', ({ params }) => {
    const customer = find(state.customers, params.id);
    if (!customer || customer.deleted) return noSuch('customer', params.id!);
    customer.deleted = true;
    // Stripe cancels the customer's subscriptions with it.
    const t = now();
    for (const sub of state.subscriptions) {
      if (sub.customer !== customer.id || sub.status === 'canceled') continue;
      Object.assign(sub, { status: 'canceled', canceled_at: t, ended_at: t });
      emit('customer.subscription.deleted', subSnapshot(sub));
    }
    const { deleted: _deleted, ...last } = customer;
    emit('customer.deleted', last);
    return ok({ id: customer.id, object: 'customer', deleted: true });
  });

  // --- subscriptions -----------------------------------------------------------------------------
  post('/v1/subscriptions', (_ctx, form) => {
    const expand = expansions(form);
    if (expand instanceof Response) return expand;
    const customerId = str(form.customer);
    if (!customerId) return missingParam('customer');
    const customer = find(state.customers, customerId);
    if (!customer || customer.deleted) return noSuch('customer', customerId, 'customer', 400);
    const specs = list(form.items).map(obj);
    if (specs.length === 0) return missingParam('items');
    // The emulator has no payment methods: only an incomplete start (the portal confirms) is possible.
    const behavior = str(form.payment_behavior) ?? 'allow_incomplete';
    const t = now();
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
      canceled_at: null,
      ended_at: null,
      payment_settings: { save_default_payment_method: str(obj(form.payment_settings).save_default_payment_method) ?? null },
      metadata: strings(form.metadata),
      livemode: false,
    };
    state.subscriptions.push(sub);
    const invoice = newInvoice(sub, amount, 'subscription_create', amount > 0);
    sub.latest_invoice = invoice.id;
    emit('customer.subscription.created', subSnapshot(sub));
    emit('invoice.created', invoiceSnapshot(invoice));
    if (invoice.status === 'paid') emit('invoice.paid', invoiceSnapshot(invoice));
    return ok(renderSubscription(sub, expand));
  });

  routes.get('/v1/subscriptions/:id', ({ params, url }) => {
    const expand = expansions(parseForm(url.search.slice(1)));
    if (expand instanceof Response) return expand;
    const sub = find(state.subscriptions, params.id);
    return sub ? ok(renderSubscription(sub, expand)) : noSuch('subscription', params.id!);
  });

  post('/v1/subscriptions/:id', ({ params }, form) => {
    const expand = expansions(form);
    if (expand instanceof Response) return expand;
    const sub = find(state.subscriptions, params.id);
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
    const t = now();
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
    const before = subSnapshot(sub);
    sub.items = { ...sub.items, data: items, total_count: items.length };
    sub.metadata = mergeMetadata(sub.metadata, form.metadata);
    let charged: Invoice | undefined;
    if (proration === 'always_invoice' && lines.length > 0) {
      // Charged at once; the emulator takes the charge as successful.
      charged = newInvoice(sub, Math.max(0, lines.reduce((s, l) => s + l.amount, 0)), 'subscription_update', false);
      for (const l of lines) l.invoice = charged.id;
      sub.latest_invoice = charged.id;
    }
    state.invoiceItems.push(...lines);
    emitUpdate('customer.subscription.updated', before, subSnapshot(sub));
    if (charged) {
      emit('invoice.created', invoiceSnapshot(charged));
      emit('invoice.paid', invoiceSnapshot(charged));
    }
    return ok(renderSubscription(sub, expand));
  });

  routes.delete('/v1/subscriptions/:id', ({ params }) => {
    const sub = find(state.subscriptions, params.id);
    // Stripe treats a canceled subscription as gone for a second cancel.
    if (!sub || sub.status === 'canceled') return noSuch('subscription', params.id!);
    const t = now();
    Object.assign(sub, { status: 'canceled', canceled_at: t, ended_at: t });
    emit('customer.subscription.deleted', subSnapshot(sub));
    const schedule = find(state.subscriptionSchedules, sub.schedule ?? undefined);
    if (schedule && isLive(schedule)) {
      Object.assign(schedule, { status: 'canceled', canceled_at: t, current_phase: null });
      emit('subscription_schedule.canceled', scheduleSnapshot(schedule));
    }
    return ok(renderSubscription(sub, []));
  });

  // --- subscription schedules --------------------------------------------------------------------
  post('/v1/subscription_schedules', (_ctx, form) => {
    const subId = str(form.from_subscription);
    if (!subId) return fail(400, { param: 'from_subscription', message: 'The emulator creates schedules only from_subscription.' });
    if (form.phases !== undefined) return fail(400, { param: 'phases', message: 'You cannot set `phases` if `from_subscription` is set.' });
    const sub = find(state.subscriptions, subId);
    if (!sub) return noSuch('subscription', subId, 'from_subscription', 400);
    if (sub.status === 'canceled') return fail(400, { param: 'from_subscription', message: 'You cannot migrate a canceled subscription to a subscription schedule.' });
    if (sub.schedule) {
      return fail(400, { param: 'from_subscription', message: `You cannot migrate a subscription that is already attached to a schedule: \`${sub.schedule}\`.` });
    }
    const first = sub.items.data[0]!;
    const phase: SchedulePhase = {
      start_date: first.current_period_start,
      end_date: first.current_period_end,
      items: sub.items.data.map((i) => ({ price: i.price.id, quantity: i.quantity, metadata: {} })),
      proration_behavior: 'create_prorations',
      metadata: {},
    };
    const schedule: SubscriptionSchedule = {
      id: newId('sub_sched_'),
      object: 'subscription_schedule',
      created: now(),
      customer: sub.customer,
      subscription: sub.id,
      status: 'active',
      end_behavior: 'release',
      phases: [phase],
      current_phase: { start_date: phase.start_date, end_date: phase.end_date },
      released_at: null,
      released_subscription: null,
      canceled_at: null,
      completed_at: null,
      metadata: strings(form.metadata),
      livemode: false,
    };
    state.subscriptionSchedules.push(schedule);
    const before = subSnapshot(sub);
    sub.schedule = schedule.id;
    emit('subscription_schedule.created', scheduleSnapshot(schedule));
    emitUpdate('customer.subscription.updated', before, subSnapshot(sub));
    return ok(schedule);
  });

  routes.get('/v1/subscription_schedules/:id', ({ params }) => {
    const schedule = find(state.subscriptionSchedules, params.id);
    return schedule ? ok(schedule) : noSuch('subscription_schedule', params.id!);
  });

  post('/v1/subscription_schedules/:id', ({ params }, form) => {
    const schedule = find(state.subscriptionSchedules, params.id);
    if (!schedule) return noSuch('subscription_schedule', params.id!);
    if (!isLive(schedule)) return notLive(schedule);
    const endBehavior = str(form.end_behavior);
    if (endBehavior !== undefined && !END_BEHAVIOR.includes(endBehavior)) return invalidValue('end_behavior', endBehavior, END_BEHAVIOR);
    const sub = find(state.subscriptions, schedule.subscription ?? undefined);
    const before = { schedule: scheduleSnapshot(schedule), sub: sub && subSnapshot(sub) };
    if (form.phases !== undefined) {
      const phases = parsePhases(list(form.phases).map(obj), schedule);
      if (phases instanceof Response) return phases;
      schedule.phases = phases;
      const t = now();
      const current = phases.find((p) => p.start_date <= t && t < p.end_date);
      schedule.current_phase = current ? { start_date: current.start_date, end_date: current.end_date } : null;
      // The current phase is what the subscription bills now: Stripe applies a change to it at once.
      if (sub && current) applyPhase(sub, current);
    }
    if (endBehavior) schedule.end_behavior = endBehavior;
    schedule.metadata = mergeMetadata(schedule.metadata, form.metadata);
    emitUpdate('subscription_schedule.updated', before.schedule, scheduleSnapshot(schedule));
    if (sub && before.sub) emitUpdate('customer.subscription.updated', before.sub, subSnapshot(sub));
    return ok(schedule);
  });

  post('/v1/subscription_schedules/:id/release', ({ params }) => {
    const schedule = find(state.subscriptionSchedules, params.id);
    if (!schedule) return noSuch('subscription_schedule', params.id!);
    if (!isLive(schedule)) return notLive(schedule);
    const sub = find(state.subscriptions, schedule.subscription ?? undefined);
    const before = sub && subSnapshot(sub);
    if (sub) sub.schedule = null;
    Object.assign(schedule, {
      status: 'released',
      released_at: now(),
      released_subscription: schedule.subscription,
      subscription: null,
      current_phase: null,
    });
    emit('subscription_schedule.released', scheduleSnapshot(schedule));
    if (sub && before) emitUpdate('customer.subscription.updated', before, subSnapshot(sub));
    return ok(schedule);
  });

  function parsePhases(specs: Form[], schedule: SubscriptionSchedule): SchedulePhase[] | Response {
    if (specs.length === 0) return missingParam('phases');
    const phases: SchedulePhase[] = [];
    for (const [n, spec] of specs.entries()) {
      const param = `phases[${n}]`;
      const items: SchedulePhase['items'] = [];
      for (const [m, item] of list(spec.items).map(obj).entries()) {
        const priceId = str(item.price);
        if (!priceId) return missingParam(`${param}[items][${m}][price]`);
        const price = find(PRICES, priceId);
        if (!price) return noSuch('price', priceId, `${param}[items][${m}][price]`, 400);
        const quantity = quantityOf(item.quantity, `${param}[items][${m}][quantity]`);
        if (quantity instanceof Response) return quantity;
        items.push({ price: price.id, quantity, metadata: strings(item.metadata) });
      }
      if (items.length === 0) return missingParam(`${param}[items]`);
      const givenStart = timestamp(spec.start_date, now);
      const givenEnd = timestamp(spec.end_date, now);
      const prev = phases[n - 1];
      if (n === 0 && schedule.current_phase && givenStart !== undefined && givenStart !== schedule.current_phase.start_date) {
        return fail(400, { param: `${param}[start_date]`, message: 'You can not modify the start date of the current phase.' });
      }
      if (prev && givenStart !== undefined && givenStart !== prev.end_date) {
        return fail(400, { param: `${param}[start_date]`, message: 'The start_date of a phase must equal the end_date of the phase before it.' });
      }
      const start = prev?.end_date ?? givenStart ?? schedule.current_phase?.start_date ?? now();
      const duration = obj(spec.duration);
      let end = givenEnd;
      if (end === undefined && spec.duration !== undefined) {
        const interval = str(duration.interval) ?? '';
        if (!INTERVALS.includes(interval)) return invalidValue(`${param}[duration][interval]`, interval, INTERVALS);
        const count = quantityOf(duration.interval_count, `${param}[duration][interval_count]`);
        if (count instanceof Response) return count;
        end = addInterval(start, { interval: interval as Recurring['interval'], interval_count: count });
      }
      // No end given: one billing interval of the phase's first price (Stripe's default).
      end ??= addInterval(start, find(PRICES, items[0]!.price)!.recurring);
      if (end <= start) return fail(400, { param: `${param}[end_date]`, message: 'The end_date of a phase must be after its start_date.' });
      const proration = str(spec.proration_behavior) ?? 'create_prorations';
      if (!PRORATION.includes(proration)) return invalidValue(`${param}[proration_behavior]`, proration, PRORATION);
      phases.push({ start_date: start, end_date: end, items, proration_behavior: proration, metadata: strings(spec.metadata) });
    }
    return phases;
  }

  function applyPhase(sub: Subscription, phase: SchedulePhase) {
    const first = sub.items.data[0];
    const data = phase.items.map((p, n): SubscriptionItem => {
      const existing = sub.items.data[n];
      const price = find(PRICES, p.price)!;
      return existing
        ? { ...existing, price, quantity: p.quantity }
        : { ...first!, id: newId('si_'), created: now(), price, quantity: p.quantity, metadata: {} };
    });
    sub.items = { ...sub.items, data, total_count: data.length };
  }

  // --- invoices ----------------------------------------------------------------------------------
  // What the portal's payment confirmation does to a subscription's first invoice; local flows and
  // tests use it to turn an incomplete subscription active.
  post('/v1/invoices/:id/pay', ({ params }, form) => {
    const invoice = find(state.invoices, params.id);
    if (!invoice) return noSuch('invoice', params.id!);
    if (invoice.status === 'paid') return fail(400, { message: 'Invoice is already paid' });
    if (str(form.paid_out_of_band) !== 'true') {
      return fail(400, { message: 'This customer has no attached payment source or default payment method. Please consider adding a default payment method.' });
    }
    payInvoice(invoice);
    return ok(renderInvoice(invoice, false));
  });

  // --- simulations (test hooks: what Stripe does on its own, without an API call) ------------------
  /** The subscription a simulation is about, or the 400 for an unknown or canceled one. */
  async function simulated(req: Request): Promise<Subscription | Response> {
    const body = await hookBody(req, simulateSchema);
    if (body instanceof Response) return body;
    const sub = find(state.subscriptions, body.subscriptionId);
    if (!sub) return json({ message: `No such subscription: '${body.subscriptionId}'` }, 400);
    if (sub.status === 'canceled') return json({ message: `Subscription ${sub.id} is canceled.` }, 400);
    return sub;
  }
  const simulation = (sub: Subscription, invoice: Invoice) => json({ subscription: subSnapshot(sub), invoice: invoiceSnapshot(invoice) });

  routes.post('/_simulate/payment-succeeded', async ({ req }) => {
    const sub = await simulated(req);
    if (sub instanceof Response) return sub;
    const invoice = openInvoiceOf(sub);
    if (!invoice) return json({ message: `Subscription ${sub.id} has no open invoice to pay.` }, 400);
    payInvoice(invoice);
    return simulation(sub, invoice);
  });

  routes.post('/_simulate/payment-failed', async ({ req }) => {
    const sub = await simulated(req);
    if (sub instanceof Response) return sub;
    const before = subSnapshot(sub);
    let invoice = openInvoiceOf(sub);
    if (!invoice) {
      // The renewal: the items' prices and the prorations left from plan changes, for the current period.
      const pending = state.invoiceItems.filter((i) => i.invoice === null && i.parent.subscription_details.subscription === sub.id);
      const amount = sub.items.data.reduce((n, i) => n + i.price.unit_amount * i.quantity, 0) + pending.reduce((n, i) => n + i.amount, 0);
      invoice = newInvoice(sub, Math.max(0, amount), 'subscription_cycle', true);
      for (const line of pending) line.invoice = invoice.id;
      sub.latest_invoice = invoice.id;
      emit('invoice.created', invoiceSnapshot(invoice));
    }
    Object.assign(invoice, { attempted: true, attempt_count: invoice.attempt_count + 1 });
    emit('invoice.payment_failed', invoiceSnapshot(invoice));
    if (sub.status === 'active') sub.status = 'past_due';
    emitUpdate('customer.subscription.updated', before, subSnapshot(sub));
    return simulation(sub, invoice);
  });

  return {
    name: 'stripe',
    credentials: { secretKey, webhookSecret },
    env: (baseUrl) => ({ STRIPE_API_URL: baseUrl, STRIPE_SECRET_KEY: secretKey, STRIPE_WEBHOOK_SECRET: webhookSecret }),
    routes,
    authorize(req, url) {
      // The test hooks (/_clock, /_deliveries, /_simulate...) are the harness, not Stripe's API.
      if (url.pathname.startsWith('/_')) return undefined;
      const key = bearer(req);
      if (key === secretKey) return undefined;
      return fail(401, {
        message: key
          ? `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`
          : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      });
    },
    // The SDK reads an error only from an `error` object; a bare 503 body would pass as a success.
    faultResponse: () => fail(500, { type: 'api_error', message: 'An unknown error occurred (injected fault).' }),
    inspect: () => ({ ...state, events: records.map(summary) }),
    reset: () => {
      for (const kind of Object.values(state) as unknown[][]) kind.length = 0;
      replays.clear();
      inFlight.clear();
      latencies = [];
      offsetSeconds = 0;
      // The endpoint stays: it is the stack's wiring, not state.
      records.length = 0;
      deliveryFaults = [];
      dropDeliveries(undefined);
    },
    signedEvent(type, object, o = {}) {
      const t = o.timestamp ?? now();
      const event = buildEvent(type, object, t, 1);
      const payload = JSON.stringify(event, null, 2);
      return { payload, header: signature(payload, t), event };
    },
    forwardTo(url) {
      endpoint = url;
      if (url) void pump();
      else dropDeliveries('no_endpoint');
    },
  };
}

// --- Stripe's wire format ------------------------------------------------------------------------

/** Parses Stripe's form encoding: `items[0][price]=x`, `expand[]=y`, `metadata[userId]=z`. */
export function parseForm(text: string): Form {
  const root: Form = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!m) continue;
    const path = [m[1]!, ...[...m[2]!.matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1]!)];
    let node = root;
    path.forEach((segment, i) => {
      const k = segment === '' ? String(Object.keys(node).length) : segment;
      if (i === path.length - 1) node[k] = value;
      else node = (typeof node[k] === 'object' ? node[k] : (node[k] = {})) as Form;
    });
  }
  return arrays(root) as Form;
}

/** Objects keyed 0..n (from `a[0]`, `a[]`) become arrays. */
function arrays(v: FormValue): FormValue {
  if (typeof v === 'string' || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  const out: Form = Object.fromEntries(keys.map((k) => [k, arrays(v[k]!)]));
  return keys.length > 0 && keys.every((k) => /^\d+$/.test(k)) ? keys.sort((a, b) => +a - +b).map((k) => out[k]!) : out;
}

const str = (v: FormValue | undefined) => (typeof v === 'string' ? v : undefined);
const list = (v: FormValue | undefined): FormValue[] => (Array.isArray(v) ? v : []);
const obj = (v: FormValue | undefined): Form => (v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {});
const strings = (v: FormValue | undefined): Metadata =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
/** Stripe merges metadata keys; an empty value removes a key. */
function mergeMetadata(current: Metadata, v: FormValue | undefined): Metadata {
  const next = { ...current };
  for (const [k, x] of Object.entries(obj(v))) {
    if (x === '') delete next[k];
    else if (typeof x === 'string') next[k] = x;
  }
  return next;
}
function timestamp(v: FormValue | undefined, now: () => number): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  return s === 'now' ? now() : Number(s);
}

/**
 * The part of Stripe's search query language the emulator knows: `field:'value'` clauses (single or
 * double quotes, backslash escapes) on email, name and metadata['key'], joined by AND. Undefined when
 * the query is anything else.
 */
export function parseSearch(query: string): { field: string; value: string }[] | undefined {
  const clause = /^\s*(email|name|metadata\[(?:'([^'\]]+)'|"([^"\]]+)")\]):(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*/;
  const out: { field: string; value: string }[] = [];
  let rest = query;
  for (;;) {
    const m = clause.exec(rest);
    if (!m) return undefined;
    const key = m[2] ?? m[3];
    out.push({ field: key ? `metadata.${key}` : m[1]!, value: (m[4] ?? m[5] ?? '').replace(/\\(.)/g, '$1') });
    rest = rest.slice(m[0].length);
    if (rest === '') return out;
    const and = /^AND\s+/.exec(rest);
    if (!and) return undefined;
    rest = rest.slice(and[0].length);
  }
}

function quantityOf(v: FormValue | undefined, param: string): number | Response {
  if (v === undefined) return 1;
  const n = Number(str(v));
  return Number.isInteger(n) && n >= 1 ? n : fail(400, { param, message: `Invalid integer: ${String(str(v))}` });
}

function expansions(form: Form): string[] | Response {
  const expand = list(form.expand).map((e) => str(e) ?? '');
  const bad = expand.find((e) => !EXPANDABLE.has(e));
  return bad === undefined ? expand : fail(400, { param: 'expand', message: `This property cannot be expanded (${bad}).` });
}

function buildEvent(
  type: string,
  object: Record<string, unknown>,
  created: number,
  pendingWebhooks: number,
  previous?: Record<string, unknown>,
): StripeEvent {
  return {
    id: newId('evt_'),
    object: 'event',
    api_version: API_VERSION,
    created,
    data: previous ? { object, previous_attributes: previous } : { object },
    livemode: false,
    pending_webhooks: pendingWebhooks,
    request: { id: null, idempotency_key: null },
    type,
  };
}

/** A wait that does not keep the process alive on its own (a delivery retry of a stopping stack). */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function renderInvoice(invoice: Invoice, withSecret: boolean) {
  const { confirmation_secret, ...rest } = invoice;
  return withSecret ? { ...rest, confirmation_secret } : rest;
}

const isLive = (s: SubscriptionSchedule) => s.status === 'active' || s.status === 'not_started';
const notLive = (s: SubscriptionSchedule) =>
  fail(400, {
    message: `You cannot update a subscription schedule that is currently in the \`${s.status}\` status. It must be in one of the following statuses: \`not_started\`, \`active\`.`,
  });

function addInterval(ts: number, { interval, interval_count: n }: Recurring): number {
  if (interval === 'day' || interval === 'week') return ts + n * (interval === 'day' ? 1 : 7) * 86_400;
  const d = new Date(ts * 1000);
  const months = interval === 'year' ? 12 * n : n;
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
  // Stripe keeps the day of month, clamped to the month's last day (31 Jan → 28 Feb).
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return Math.floor(target.getTime() / 1000);
}

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const token = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % 62]).join('');
const newId = (prefix: string) => `${prefix}${token(24)}`;
const headers = () => ({ 'content-type': 'application/json', 'request-id': `req_${token(14)}` });
const ok = (body: unknown) => json(body, 200, headers());

function fail(status: number, error: { type?: string; code?: string; param?: string; message: string }): Response {
  return json({ error: { type: 'invalid_request_error', ...error } }, status, headers());
}
const noSuch = (kind: string, id: string, param = 'id', status = 404) =>
  fail(status, { code: 'resource_missing', param, message: `No such ${kind}: '${id}'` });
const missingParam = (param: string) => fail(400, { code: 'parameter_missing', param, message: `Missing required param: ${param}.` });
const invalidValue = (param: string, value: string, allowed: string[]) =>
  fail(400, { param, message: `Invalid ${param}: must be one of ${allowed.join(', ')} (got '${value}')` });
