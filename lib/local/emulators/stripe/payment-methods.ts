// Cards, as Stripe's test mode has them: a customer gets a card by attaching one of Stripe's test
// payment methods (`pm_card_visa`...), which makes a payment method of its own (`pm_…`) with that test
// card's number; the number decides how charges go, as Stripe's test cards do:
//   pm_card_visa (4242), pm_card_mastercard (4444)    charges succeed
//   pm_card_chargeCustomerFail (0341)                  attaching succeeds, every charge fails (card_declined)
//   pm_card_visa_chargeDeclined (0002)                 declined already when attached (402 card_declined)
// A renewal is charged to the subscription's `default_payment_method`, else the customer's
// `invoice_settings.default_payment_method` (Stripe's order); without either it fails like a decline.
//   POST /v1/payment_methods/:id/attach   { customer }: a test payment method makes a new card for the
//                                         customer, a card of its own is attached to it; payment_method.attached
//   GET  /v1/payment_methods/:id
import type { Router } from '../kit';
import type { Events } from './events';
import type { PostRoute } from './idempotency';
import { nowFor, type PaymentMethod, type StripeState, type Subscription } from './state';
import { fail, find, missingParam, newId, noSuch, ok, str } from './wire';

const TEST_CARDS: Record<string, { brand: string; last4: string }> = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
  pm_card_chargeCustomerFail: { brand: 'visa', last4: '0341' },
  pm_card_visa_chargeDeclined: { brand: 'visa', last4: '0002' },
};
/** The test cards whose charges are declined; the second of them already when it is attached. */
const DECLINED = new Set(['0341', '0002']);
const DECLINED_ON_ATTACH = '0002';

const declined = () =>
  fail(402, { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', param: '', message: 'Your card was declined.' });

/**
 * Checks that `id` can be attached to `customerId` (a test payment method, or a card of this emulator
 * not attached elsewhere): the attach to run, or the error Stripe would answer. Nothing changes until
 * the attach runs, so a caller can check before it creates anything.
 */
export function attachable(state: StripeState, id: string, customerId: string, param: string): (() => PaymentMethod) | Response {
  const test = TEST_CARDS[id];
  if (test) {
    if (test.last4 === DECLINED_ON_ATTACH) return declined();
    return () => {
      const card: PaymentMethod = {
        id: newId('pm_'),
        object: 'payment_method',
        created: nowFor(state, customerId),
        type: 'card',
        card: { ...test, exp_month: 12, exp_year: new Date(nowFor(state, customerId) * 1000).getUTCFullYear() + 3, funding: 'credit' },
        customer: customerId,
        metadata: {},
        livemode: false,
      };
      state.resources.paymentMethods.push(card);
      return card;
    };
  }
  const card = find(state.resources.paymentMethods, id);
  if (!card) return noSuch('PaymentMethod', id, param, 400);
  if (card.customer && card.customer !== customerId) {
    return fail(400, { param, message: `The payment method you provided is already attached to a customer (${card.customer}).` });
  }
  return () => Object.assign(card, { customer: customerId });
}

/** The card a renewal of `sub` is charged to: the subscription's own, else its customer's default. */
export function cardFor(state: StripeState, sub: Subscription): PaymentMethod | undefined {
  const customer = find(state.resources.customers, sub.customer);
  const id = sub.default_payment_method ?? customer?.invoice_settings.default_payment_method ?? undefined;
  return find(state.resources.paymentMethods, id);
}

/** Whether a charge to `card` goes through (no card: it fails, as Stripe's attempt without one does). */
export const chargeSucceeds = (card: PaymentMethod | undefined): boolean => card !== undefined && !DECLINED.has(card.card.last4);

/** A payment method the customer has (for `default_payment_method` params), or the error Stripe answers. */
export function ownCard(state: StripeState, id: string, customerId: string, param: string): PaymentMethod | Response {
  const card = find(state.resources.paymentMethods, id);
  return card?.customer === customerId ? card : notOwnCard(id, param);
}

export const notOwnCard = (id: string, param: string) =>
  fail(400, {
    code: 'resource_missing',
    param,
    message: `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
  });

export function paymentMethodRoutes(state: StripeState, routes: Router, post: PostRoute, events: Events): void {
  post('/v1/payment_methods/:id/attach', ({ params }, form) => {
    const customerId = str(form.customer);
    if (!customerId) return missingParam('customer');
    const customer = find(state.resources.customers, customerId);
    if (!customer || customer.deleted) return noSuch('customer', customerId, 'customer', 400);
    const attach = attachable(state, params.id!, customerId, 'payment_method');
    if (attach instanceof Response) return attach;
    const card = attach();
    events.emit('payment_method.attached', { ...card });
    return ok(card);
  });
  routes.get('/v1/payment_methods/:id', ({ params }) => {
    const card = find(state.resources.paymentMethods, params.id);
    return card ? ok(card) : noSuch('PaymentMethod', params.id!);
  });
}
