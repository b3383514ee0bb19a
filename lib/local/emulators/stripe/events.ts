// Webhook events as Stripe makes them: every change records an event (`evt_…`, `created` on this
// emulator's clock, or for an object on a test clock on that clock's frozen time, `data.object` a deep snapshot of the object as the API renders it at that moment,
// `data.previous_attributes` on updates: the old values of the top-level fields that changed).
// `forwardTo(url)` delivers them as `stripe listen --forward-to` does: one at a time, in event order,
// JSON signed with the webhook secret (`Stripe-Signature: t=…,v1=…`, `t` the real time of each attempt,
// so a receiver's 300 s tolerance holds after /_clock moved this clock); a non-2xx answer or a network
// error is retried after 100, 200 and 400 ms (`retryDelaysMs`), then given up (`failed`). Stripe
// retries for days; locally a few tries show the behaviour. Without an endpoint events are only
// recorded (`no_endpoint`). The delivery faults (delay, duplicate, reorder, hold; simulations.ts sets
// them) are applied here, as each event is routed and sent.
import { createHmac } from 'node:crypto';
import {
  clearDeliveries,
  clockTime,
  now,
  nowFor,
  type DeliveryFault,
  type DeliveryStatus,
  type EventRecord,
  type EventSummary,
  type Settings,
  type StripeEvent,
  type StripeState,
} from './state';
import type { Motion } from '../kit';
import { newId } from './wire';

const API_VERSION = '2026-10-28.endive';

export interface Events {
  /** Records an event about `object` (snapshotted now) and routes it to the endpoint, if there is one. */
  emit(type: string, object: Record<string, unknown>, previous?: Record<string, unknown>): void;
  /** Records `type` when `after` differs from `before`, with the old values of the fields that changed. */
  emitUpdate(type: string, before: Record<string, unknown>, after: Record<string, unknown>): void;
  /** A webhook body and its Stripe-Signature header, signed with the webhook secret at `timestamp` (default now); not recorded. */
  signedEvent(type: string, object: Record<string, unknown>, timestamp?: number): { payload: string; header: string; event: StripeEvent };
  /** Delivers the events recorded from now on to `url`; undefined stops delivering and drops what was queued or held. */
  forwardTo(url: string | undefined): void;
  /** Queues deliveries of these events (in this order) past any fault. */
  enqueue(records: EventRecord[]): void;
  /** Deliveries queued or under way (held ones wait for a release: not under way), and how many were queued. */
  motion(): Motion;
  /**
   * Ends the holds and reorder batches (pending ones too) and queues what they held: `eventIds` first,
   * in that order, then the rest in `order`. The released deliveries, or the first id not held.
   */
  release(order: 'recorded' | 'reverse', eventIds: string[] | undefined): EventRecord[] | { notHeld: string };
}

export function createEvents(state: StripeState, settings: Pick<Settings, 'webhookSecret' | 'retryDelaysMs' | 'deliveryTimeoutMs'>): Events {
  const deliveries = state.deliveries;
  const signature = (payload: string, t: number) =>
    `t=${t},v1=${createHmac('sha256', settings.webhookSecret).update(`${t}.${payload}`).digest('hex')}`;

  /** When an event about `object` happens: a test clock's own frozen time, its objects' clock's, else now. */
  const eventTime = (object: Record<string, unknown>) =>
    object.object === 'test_helpers.test_clock' && typeof object.frozen_time === 'number'
      ? object.frozen_time
      : typeof object.test_clock === 'string'
        ? clockTime(state, object.test_clock)
        : typeof object.customer === 'string'
          ? nowFor(state, object.customer)
          : now(state);

  function emit(type: string, object: Record<string, unknown>, previous?: Record<string, unknown>) {
    const { endpoint } = deliveries;
    const event = buildEvent(type, structuredClone(object), eventTime(object), endpoint ? 1 : 0, previous && structuredClone(previous));
    const rec: EventRecord = { event, delivery: { status: endpoint ? 'pending' : 'no_endpoint', attempts: 0, lastStatus: null, lastError: null } };
    state.events.push(rec);
    if (endpoint) route(rec);
  }

  function emitUpdate(type: string, before: Record<string, unknown>, after: Record<string, unknown>) {
    const changed = Object.keys({ ...before, ...after }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (changed.length > 0) emit(type, after, Object.fromEntries(changed.map((k) => [k, before[k] ?? null])));
  }

  /** Takes one use of the first pending fault of `mode`, if any (a hold without count is never used up). */
  function consume<M extends DeliveryFault['mode']>(mode: M): Extract<DeliveryFault, { mode: M }> | undefined {
    const fault = deliveries.faults.find((f): f is Extract<DeliveryFault, { mode: M }> => f.mode === mode);
    if (!fault || fault.count === undefined) return fault;
    fault.count -= 1;
    if (fault.count <= 0) deliveries.faults = deliveries.faults.filter((f) => f !== fault);
    return fault;
  }

  /** Where a new event goes: the faults decide whether it is doubled, held, batched to be reversed, or queued. */
  function route(rec: EventRecord) {
    const copies = consume('duplicate') ? [rec, rec] : [rec];
    if (consume('hold')) {
      rec.delivery.status = 'held';
      deliveries.held.push(...copies);
      return;
    }
    if (!deliveries.batch) {
      const reorder = deliveries.faults.find((f) => f.mode === 'reorder');
      if (reorder) {
        deliveries.faults = deliveries.faults.filter((f) => f !== reorder);
        deliveries.batch = { size: reorder.count, events: 0, records: [] };
      }
    }
    const batch = deliveries.batch;
    if (batch) {
      rec.delivery.status = 'held';
      batch.records.push(...copies);
      batch.events += 1;
      if (batch.events < batch.size) return;
      const reversed = batch.records.reverse();
      deliveries.batch = undefined;
      return enqueue(reversed);
    }
    enqueue(copies);
  }

  let queued = 0;
  function enqueue(list: EventRecord[]) {
    queued += list.length;
    for (const rec of list) rec.delivery.status = 'pending';
    deliveries.queue.push(...list);
    void pump();
  }

  /** Sends the queue one delivery at a time, in order. */
  async function pump() {
    if (deliveries.pumping) return;
    deliveries.pumping = true;
    try {
      for (let rec = deliveries.queue.shift(); rec; rec = deliveries.queue.shift()) {
        const gen = deliveries.generation;
        const delay = consume('delay');
        if (delay) await sleep(delay.ms);
        if (gen === deliveries.generation) await deliver(rec, gen);
      }
    } finally {
      deliveries.pumping = false;
    }
  }

  async function deliver(rec: EventRecord, gen: number) {
    const payload = JSON.stringify(rec.event, null, 2);
    rec.delivery.status = 'pending';
    for (let retry = 0; ; retry++) {
      const { endpoint } = deliveries;
      if (!endpoint || gen !== deliveries.generation) return;
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
          signal: AbortSignal.timeout(settings.deliveryTimeoutMs),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) error = `HTTP ${res.status}`;
      } catch (err) {
        const code = (err as { cause?: { code?: unknown } }).cause?.code;
        error = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
      }
      if (gen !== deliveries.generation) return;
      Object.assign(rec.delivery, { lastStatus: status, lastError: error });
      if (error === null) {
        rec.delivery.status = 'delivered';
        return;
      }
      const wait = settings.retryDelaysMs[retry];
      if (wait === undefined) {
        rec.delivery.status = 'failed';
        return;
      }
      await sleep(wait);
    }
  }

  /** Drops what waits to be sent (no endpoint any more); a delivery under way stops. */
  function dropDeliveries(status: DeliveryStatus) {
    for (const rec of [...deliveries.queue, ...deliveries.held, ...(deliveries.batch?.records ?? [])]) rec.delivery.status = status;
    clearDeliveries(deliveries);
  }

  return {
    emit,
    emitUpdate,
    signedEvent(type, object, timestamp) {
      const t = timestamp ?? now(state);
      const event = buildEvent(type, object, t, 1);
      const payload = JSON.stringify(event, null, 2);
      return { payload, header: signature(payload, t), event };
    },
    forwardTo(url) {
      deliveries.endpoint = url;
      if (url) void pump();
      else dropDeliveries('no_endpoint');
    },
    enqueue,
    motion: () => ({ active: deliveries.queue.length + (deliveries.pumping ? 1 : 0), started: queued }),
    release(order, eventIds) {
      const waiting = [...deliveries.held, ...(deliveries.batch?.records ?? [])].sort((a, b) => state.events.indexOf(a) - state.events.indexOf(b));
      if (order === 'reverse') waiting.reverse();
      const first: EventRecord[] = [];
      for (const id of new Set(eventIds ?? [])) {
        const mine = waiting.filter((r) => r.event.id === id);
        if (mine.length === 0) return { notHeld: id };
        first.push(...mine);
      }
      const released = [...first, ...waiting.filter((r) => !first.includes(r))];
      deliveries.held = [];
      deliveries.batch = undefined;
      deliveries.faults = deliveries.faults.filter((f) => f.mode !== 'hold' && f.mode !== 'reorder');
      enqueue(released);
      return released;
    },
  };
}

/** An event as /_inspect lists it. */
export const summary = ({ event, delivery }: EventRecord): EventSummary => ({
  id: event.id,
  type: event.type,
  created: event.created,
  objectId: String(event.data.object.id ?? ''),
  delivery: { ...delivery },
});

export const findEvent = (state: StripeState, id: string) => state.events.find((r) => r.event.id === id);

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
