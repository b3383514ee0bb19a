// The billing demo on the local stack (`npm start`): the demo customer's Stripe customer lives on a
// Stripe test clock, with Stripe's test Visa (pm_card_visa) as its default card, so that time can pass
// for its subscription: the hub's "Advance one month" beside the clock (or the emulator's
// /_simulate/advance-clock) runs the month's renewal and sends its events to the webhook.
//
// The customer is made here, before the demo customer subscribes, by the backend's own adapter
// (ensureCustomer: the email, name and `metadata.userId` it always sets), and the clock is attached
// to it afterwards with the test clock's `customer` parameter. Subscribing later finds this customer
// by its `metadata.userId`, as it finds any customer made before. So the adapter and the backend's
// config know nothing of clocks: no code path of a deployed stage can put a customer on one.
import Stripe from 'stripe';
import { stripeBilling } from '../../shared/providers/stripe/adapter';
import type { RunningEmulator } from './emulators/kit';

export interface DemoBillingClock {
  clockId: string;
  customerId: string;
}

export async function seedDemoBillingClock(running: RunningEmulator[], user: { sub: string; email: string; name: string }): Promise<DemoBillingClock> {
  const emulator = running.find((e) => e.name === 'stripe')!;
  const env = emulator.definition.env(emulator.baseUrl);
  const { hostname, port } = new URL(emulator.baseUrl);
  const endpoint = { host: hostname, port: Number(port), protocol: 'http' as const };
  const customerId = await stripeBilling({ secretKey: env.STRIPE_SECRET_KEY!, webhookSecret: env.STRIPE_WEBHOOK_SECRET!, ...endpoint }).ensureCustomer({
    userId: user.sub,
    email: user.email,
    name: user.name,
  });
  const stripe = new Stripe(env.STRIPE_SECRET_KEY!, endpoint);
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Math.floor(Date.now() / 1000), name: `${user.name} (demo)`, customer: customerId });
  const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customerId });
  await stripe.customers.update(customerId, { invoice_settings: { default_payment_method: card.id } });
  return { clockId: clock.id, customerId };
}
