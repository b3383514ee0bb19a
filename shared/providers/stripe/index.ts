// The Stripe adapter wired to this function's config.
import { stripeBilling } from './adapter';
import { stripeConfig } from './config';
import type { Billing } from './port';

export * from './port';
export { stripeConfig } from './config';

let billing: Billing | undefined;
export function configuredBilling(): Billing {
  if (!billing) {
    const c = stripeConfig();
    billing = stripeBilling({ secretKey: c.secretKey, webhookSecret: c.webhookSecret, ...c.api });
  }
  return billing;
}
