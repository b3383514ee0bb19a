// The composition of what calls customers' URLs: the resolver and the policy every check of a webhook
// URL (at its creation, its change and every attempt) runs with. DNS on every stage; the local stack
// may put fixed answers in front of it (LOCAL_HOST_ADDRESSES, shared/config/outbound-webhooks.ts),
// which is how a test points a public-looking name at a private address without a DNS server.
import { outboundWebhookConfig } from '../config/outbound-webhooks';
import { guardedPost, withFixedHosts, type GuardedFetchPolicy, type GuardedPost } from '../net/guarded-fetch';
import { resolveWithDns, type ResolveHost } from '../net/public-address';
import { DELIVERY_TIMEOUT_MS, RESPONSE_KEPT_BYTES } from '../model/webhook-events';

/** The URL policy with its resolver, from the function's configuration. */
export function outboundUrlPolicy(): GuardedFetchPolicy & { resolve: ResolveHost } {
  const c = outboundWebhookConfig();
  const resolve = Object.keys(c.fixedHosts).length > 0 ? withFixedHosts(c.fixedHosts, resolveWithDns) : resolveWithDns;
  return { resolve, allowHttpLoopback: c.allowHttpLoopback };
}

/** The POST a webhook attempt makes: guarded, 15 s, the first KB of the answer kept. */
export function webhookPost(): (req: GuardedPost) => ReturnType<typeof guardedPost> {
  const policy = outboundUrlPolicy();
  return (req) => guardedPost(req, { ...policy, timeoutMs: DELIVERY_TIMEOUT_MS, maxBodyBytes: RESPONSE_KEPT_BYTES });
}
