// Reading IP addresses as numbers: node:net tells whether a string is an IPv4 or IPv6 address but
// gives no way to read an IPv6 address's groups, which the address policy (./public-address.ts) needs
// for the IPv4 address some IPv6 forms carry (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d).
import { net } from './node-net';

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a trailing dotted IPv4 part read); undefined if it is none. */
export function ipv6Groups(ip: string): number[] | undefined {
  if (!net.isIPv6(ip) || ip.includes('%')) return undefined;
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.length === 8 ? groups.map((g) => parseInt(g, 16)) : undefined;
}

/** The IPv4 address in the last 32 bits of IPv6 groups, dotted. */
export function lastIPv4(groups: number[]): string {
  const [hi = 0, lo = 0] = groups.slice(6);
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

/** The IPv4 address an IPv4-mapped IPv6 address (::ffff:0:0/96) stands for; undefined for any other. */
export function mappedIPv4(ip: string): string | undefined {
  if (net.isIPv4(ip)) return undefined;
  const g = ipv6Groups(ip);
  return g && g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff ? lastIPv4(g) : undefined;
}
