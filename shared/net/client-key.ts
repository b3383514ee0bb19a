// Who an anonymous request comes from, as the public forms count and scope it: an IPv4 address as it
// is, an IPv6 address by its /64 network (one subscriber usually holds a whole /64 and could
// otherwise take a new address for every request), an IPv4-mapped IPv6 address as its IPv4 address.
// The rate limits count per client key (shared/domain/public-form-guards.ts), and an anonymous
// caller's Idempotency-Key belongs to its client key (shared/http/middleware/idempotency.ts, and the
// row ids the forms derive from a key).
import { ipv6Groups, mappedIPv4 } from './ip';
import { net } from './node-net';

/** The client key of a source address: `203.0.113.9`, or `2001:db8:85a3:42::/64`. */
export function clientKey(ip: string): string {
  if (!net.isIPv6(ip)) return ip;
  const mapped = mappedIPv4(ip);
  if (mapped) return mapped;
  const groups = ipv6Groups(ip);
  if (!groups) return ip;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/**
 * An anonymous caller's Idempotency-Key within its client's scope, for what a form derives from the
 * key (a row id, ticket number candidates): the same key from another client is another request.
 */
export function clientScopedKey(key: string, sourceIp: string): string {
  return `${clientKey(sourceIp)}\u0000${key}`;
}
