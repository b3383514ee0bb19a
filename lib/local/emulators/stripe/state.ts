// The Stripe emulator's state: the one object every section of the emulator reads and changes (the
// API's objects, the clock's offset, the Idempotency-Key records, /_latency's slow-downs, the events
// recorded and their deliveries), the types of what it holds, and the settings fixed at creation
// (which /_reset keeps). Nothing here is module-level: `createState()` makes a fresh one per emulator.
// The time of an object is its customer's test clock's frozen time when the customer lives on one
// (`nowFor`), else this emulator's clock (`now`).
export type Metadata = Record<string, string>;

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
  /** The card a renewal is charged to when its subscription has none of its own. */
  invoice_settings: { default_payment_method: string | null };
  /** The test clock the customer lives on: its objects' times are the clock's frozen time. */
  test_clock: string | null;
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
  status: 'incomplete' | 'active' | 'past_due' | 'unpaid' | 'canceled';
  items: { object: 'list'; data: SubscriptionItem[]; has_more: false; total_count: number; url: string };
  latest_invoice: string | null;
  schedule: string | null;
  currency: string;
  collection_method: 'charge_automatically';
  billing_cycle_anchor: number;
  start_date: number;
  cancel_at_period_end: boolean;
  /** When a `cancel_at_period_end` subscription ends (its period end). */
  cancel_at: number | null;
  /** With `cancel_at_period_end`, the time it was asked for; else when it was canceled. */
  canceled_at: number | null;
  ended_at: number | null;
  /** Charged before the customer's default payment method. */
  default_payment_method: string | null;
  payment_settings: { save_default_payment_method: string | null };
  metadata: Metadata;
  test_clock: string | null;
  livemode: false;
}
export interface Invoice {
  id: string;
  object: 'invoice';
  created: number;
  customer: string;
  /** A renewal is a `draft` for a moment (invoice.created), then `open` (invoice.finalized) until paid. */
  status: 'draft' | 'open' | 'paid';
  billing_reason: 'subscription_create' | 'subscription_update' | 'subscription_cycle';
  currency: string;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  /** Payment attempts made (failed ones included). */
  attempt_count: number;
  attempted: boolean;
  /** When a test clock tries a failed renewal's payment again (the retry schedule); null when none is due. */
  next_payment_attempt: number | null;
  period_start: number;
  period_end: number;
  parent: { type: 'subscription_details'; subscription_details: { subscription: string; metadata: Metadata } };
  /** Stripe returns it only when expanded (`latest_invoice.confirmation_secret`). */
  confirmation_secret: { type: 'payment_intent'; client_secret: string } | null;
  test_clock: string | null;
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
  test_clock: string | null;
  livemode: false;
}
/** A test clock (`test_helpers.test_clock`): the frozen time its customers' objects live at. */
export interface TestClock {
  id: string;
  object: 'test_helpers.test_clock';
  created: number;
  deletes_after: number;
  frozen_time: number;
  name: string | null;
  status: 'ready' | 'advancing' | 'internal_failure';
  status_details: { advancing?: { target_frozen_time: number } };
  livemode: false;
  /** Set once deleted: Stripe still answers its id with `{ id, object, deleted: true }`. */
  deleted?: true;
}
/** A card attached to a customer, made from one of Stripe's test payment methods (`pm_card_visa`...). */
export interface PaymentMethod {
  id: string;
  object: 'payment_method';
  created: number;
  type: 'card';
  /** The test card's number decides how charges go (payment-methods.ts). */
  card: { brand: string; last4: string; exp_month: number; exp_year: number; funding: 'credit' };
  customer: string | null;
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
/** An event as recorded: the event itself and how its deliveries went. */
export interface EventRecord {
  event: StripeEvent;
  delivery: EventSummary['delivery'];
}
/** The API's objects, one array per kind, oldest first (what /_inspect lists besides the events). */
export type Resources = {
  customers: Customer[];
  subscriptions: Subscription[];
  subscriptionSchedules: SubscriptionSchedule[];
  invoices: Invoice[];
  /** Proration lines from plan changes (`proration_behavior: create_prorations`), pending until the next invoice. */
  invoiceItems: InvoiceItem[];
  testClocks: TestClock[];
  paymentMethods: PaymentMethod[];
};

/** A /_latency slow-down: the next `count` POSTs whose path contains `match` (any, without) take `ms` longer. */
export interface Latency {
  ms: number;
  count: number;
  match?: string | undefined;
}

/** A delivery fault (POST /_deliveries) for the events recorded after it; `simulations.ts` describes the modes. */
export type DeliveryFault =
  | { mode: 'delay'; ms: number; count: number }
  | { mode: 'duplicate'; count: number }
  | { mode: 'reorder'; count: number }
  /** Without `count`, every event from now on is held. */
  | { mode: 'hold'; count?: number | undefined };

/** What Stripe kept of an Idempotency-Key's first request: the answer replayed for the same request. */
export interface Replay {
  /** The path and form body of the first request. */
  fingerprint: string;
  status: number;
  body: string;
  /** On this emulator's clock (Unix seconds): from then the key is forgotten. */
  expiresAt: number;
}

/** Where the recorded events go (as `stripe listen --forward-to` sends them) and what waits to be sent. */
export interface Deliveries {
  /** The URL events are forwarded to; the stack's wiring, so /_reset keeps it. */
  endpoint: string | undefined;
  /** Pending delivery faults (POST /_deliveries), oldest first. */
  faults: DeliveryFault[];
  /** Deliveries waiting their turn; an event delivered twice is in it twice. */
  queue: EventRecord[];
  /** Held by `hold` until a release. */
  held: EventRecord[];
  /** A `reorder` batch being filled: sent reversed once `size` events are in it. */
  batch: { size: number; events: number; records: EventRecord[] } | undefined;
  /** Bumped by /_reset and forwardTo(undefined): a delivery of an older generation stops. */
  generation: number;
  /** Whether the queue is being sent (one sender at a time keeps the order). */
  pumping: boolean;
}

export interface StripeState {
  resources: Resources;
  /** How far /_clock moved this emulator's clock past real time, in seconds. */
  offsetSeconds: number;
  /** Idempotency-Keys whose request ran, by key. */
  replays: Map<string, Replay>;
  /** Idempotency-Keys whose first request still runs. */
  inFlight: Set<string>;
  /** Pending /_latency slow-downs of POSTs, oldest first. */
  latencies: Latency[];
  /** Every event recorded, oldest first. */
  events: EventRecord[];
  deliveries: Deliveries;
}

export function createState(): StripeState {
  return {
    resources: { customers: [], subscriptions: [], subscriptionSchedules: [], invoices: [], invoiceItems: [], testClocks: [], paymentMethods: [] },
    offsetSeconds: 0,
    replays: new Map(),
    inFlight: new Set(),
    latencies: [],
    events: [],
    deliveries: { endpoint: undefined, faults: [], queue: [], held: [], batch: undefined, generation: 0, pumping: false },
  };
}

/** Forgets all state (/_reset) but the endpoint; a delivery under way stops. */
export function resetState(state: StripeState): void {
  // Emptied in place: what inspect() handed out before empties too.
  for (const kind of Object.values(state.resources) as unknown[][]) kind.length = 0;
  state.replays.clear();
  state.inFlight.clear();
  state.latencies = [];
  state.offsetSeconds = 0;
  state.events.length = 0;
  state.deliveries.faults = [];
  clearDeliveries(state.deliveries);
}

/** Drops what waits to be sent and stops a delivery under way (the next generation starts). */
export function clearDeliveries(deliveries: Deliveries): void {
  deliveries.generation += 1;
  deliveries.queue = [];
  deliveries.held = [];
  deliveries.batch = undefined;
}

/** This emulator's clock, in Unix seconds: real time plus what /_clock advanced. */
export const now = (state: StripeState): number => Math.floor(Date.now() / 1000) + state.offsetSeconds;

/** The frozen time of a test clock, or this emulator's clock without one (or for an unknown id). */
export const clockTime = (state: StripeState, clockId: string | null | undefined): number =>
  state.resources.testClocks.find((c) => c.id === clockId)?.frozen_time ?? now(state);

/** The time of a customer's objects: its test clock's frozen time when it lives on one, else `now`. */
export const nowFor = (state: StripeState, customerId: string | null | undefined): number =>
  clockTime(state, state.resources.customers.find((c) => c.id === customerId)?.test_clock);

// --- settings ------------------------------------------------------------------------------------

/** How long Stripe keeps an Idempotency-Key (at least 24 hours; the emulator forgets it at exactly 24). */
export const IDEMPOTENCY_TTL_SECONDS = 86_400;

export interface StripeEmulatorOptions {
  secretKey?: string;
  webhookSecret?: string;
  /** How long an Idempotency-Key is remembered; Stripe's 24 hours unless a test wants less. */
  idempotencyTtlSeconds?: number;
  /** The waits before each retry of a failed delivery; default 100, 200, 400 ms (four tries in all). */
  retryDelaysMs?: number[];
  /** How long one delivery attempt may take before it counts as failed; default 5 s. */
  deliveryTimeoutMs?: number;
  /**
   * What a test clock does after a renewal's payment fails (clocks.ts): Stripe's custom retry schedule,
   * tries again `afterDays` days after each failed attempt (default 3, 5, 7: days 3, 8 and 15), then,
   * once every retry failed, `whenExhausted`: `cancel` the subscription (default), mark it `unpaid`, or
   * leave it `past_due`, as the Dashboard's "If all retries for a payment fail" setting does.
   */
  paymentRetries?: { afterDays?: number[]; whenExhausted?: 'cancel' | 'unpaid' | 'past_due' };
}

/** The options with their defaults filled in. */
export type Settings = Required<Omit<StripeEmulatorOptions, 'paymentRetries'>> & { paymentRetries: Required<NonNullable<StripeEmulatorOptions['paymentRetries']>> };

export function settingsOf(opts: StripeEmulatorOptions): Settings {
  return {
    secretKey: opts.secretKey ?? 'sk_test_local',
    webhookSecret: opts.webhookSecret ?? 'whsec_local',
    idempotencyTtlSeconds: opts.idempotencyTtlSeconds ?? IDEMPOTENCY_TTL_SECONDS,
    retryDelaysMs: opts.retryDelaysMs ?? [100, 200, 400],
    deliveryTimeoutMs: opts.deliveryTimeoutMs ?? 5000,
    paymentRetries: { afterDays: opts.paymentRetries?.afterDays ?? [3, 5, 7], whenExhausted: opts.paymentRetries?.whenExhausted ?? 'cancel' },
  };
}
