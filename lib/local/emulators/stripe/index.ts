// Stripe emulator: the v1 billing calls Fonella makes (customers, subscriptions, subscription schedules,
// paying an invoice out of band), form-encoded and answered in Stripe's shapes. `signedEvent` signs
// webhook payloads with the endpoint secret the way Stripe does.
//
// This file composes the emulator from its sections, all around one state object (state.ts) that each
// of them is handed:
//   state.ts          the state, the types of what it holds, the settings fixed at creation
//   wire.ts           Stripe's form encoding, search queries, ids, answers and errors
//   idempotency.ts    POST routes behind Stripe's Idempotency-Key handling (and /_latency's slow-downs)
//   events.ts         webhook events: recording, delivery to the forwarded endpoint, retries, signing
//   render.ts         the objects as the API renders them (expansions, event snapshots)
//   prices.ts         the local plans as Stripe prices, prorations, billing intervals
//   customers.ts, subscriptions.ts, schedules.ts, invoices.ts, payment-methods.ts    the REST resources
//   clocks.ts         Stripe's test clocks, and advancing them: billing-cycle.ts runs what happens
//                     meanwhile (renewals, payment retries, schedule phases, cancellations at period end)
//   simulations.ts    the test hooks (/_clock, /_latency, /_events, /_deliveries, /_simulate/...)
import { Router, bearer, type EmulatorDefinition } from '../kit';
import { clockRoutes, createClocks } from './clocks';
import { customerRoutes } from './customers';
import { createEvents, summary } from './events';
import { idempotentPost } from './idempotency';
import { invoiceRoutes } from './invoices';
import { paymentMethodRoutes } from './payment-methods';
import { scheduleRoutes } from './schedules';
import { simulationRoutes } from './simulations';
import {
  createState,
  resetState,
  settingsOf,
  type EventSummary,
  type Resources,
  type StripeEmulatorOptions,
  type StripeEvent,
} from './state';
import { subscriptionRoutes } from './subscriptions';
import { fail } from './wire';

export {
  IDEMPOTENCY_TTL_SECONDS,
  type Customer,
  type DeliveryStatus,
  type EventSummary,
  type Invoice,
  type InvoiceItem,
  type PaymentMethod,
  type Price,
  type Recurring,
  type SchedulePhase,
  type StripeEmulatorOptions,
  type StripeEvent,
  type Subscription,
  type SubscriptionItem,
  type SubscriptionSchedule,
  type TestClock,
} from './state';
export { parseForm, parseSearch } from './wire';

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

export function createStripeEmulator(opts: StripeEmulatorOptions = {}): StripeEmulator {
  const settings = settingsOf(opts);
  const { secretKey, webhookSecret } = settings;
  const state = createState();
  const events = createEvents(state, settings);
  const routes = new Router();
  const post = idempotentPost(state, settings, routes);
  const clocks = createClocks(state, events, settings);

  simulationRoutes(state, settings, routes, events, clocks);
  customerRoutes(state, routes, post, events);
  subscriptionRoutes(state, routes, post, events);
  scheduleRoutes(state, routes, post, events);
  invoiceRoutes(state, post, events);
  paymentMethodRoutes(state, routes, post, events);
  clockRoutes(state, routes, post, events, clocks);

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
    inspect: () => ({ ...state.resources, events: state.events.map(summary) }),
    // Its webhook deliveries, and a test clock's advance (it runs right after the answer).
    motion: () => {
      const deliveries = events.motion();
      return { ...deliveries, active: deliveries.active + state.resources.testClocks.filter((c) => c.status === 'advancing' && !c.deleted).length };
    },
    // The endpoint stays: it is the stack's wiring, not state.
    reset: () => resetState(state),
    signedEvent: (type, object, o = {}) => events.signedEvent(type, object, o.timestamp),
    forwardTo: (url) => events.forwardTo(url),
  };
}
