// Stripe account and webhook endpoint secret (each plan's price is in shared/config/plans.ts, beside
// the catalogue). STRIPE_API_URL points the SDK at the local emulator; off the local stack it is
// normally unset and the SDK uses api.stripe.com.
import { defineConfig, httpUrl, matching, optional } from '../../config/define';

export const stripeConfig = /* @__PURE__ */ defineConfig(
  'stripe',
  {
    // A publishable key (pk_) would fail on every call: catch it at init instead.
    STRIPE_SECRET_KEY: matching(/^(sk|rk)_/, 'must be a secret (sk_) or restricted (rk_) key'),
    STRIPE_WEBHOOK_SECRET: matching(/^whsec_/, 'must be an endpoint secret (whsec_)'),
    STRIPE_API_URL: optional(httpUrl),
  },
  (e) => ({
    secretKey: e.STRIPE_SECRET_KEY,
    webhookSecret: e.STRIPE_WEBHOOK_SECRET,
    api: e.STRIPE_API_URL === undefined ? undefined : sdkEndpoint(e.STRIPE_API_URL),
  }),
  {
    STRIPE_SECRET_KEY: 'sk_test_local',
    STRIPE_WEBHOOK_SECRET: 'whsec_local',
    STRIPE_API_URL: 'http://127.0.0.1:4007',
  },
);

/** The SDK takes host, port and protocol rather than a URL (and no path: it always sends /v1/...). */
function sdkEndpoint(url: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const u = new URL(url);
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) || (protocol === 'http' ? 80 : 443), protocol };
}
