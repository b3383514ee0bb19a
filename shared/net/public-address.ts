// Whether a host a customer gives us (a SIP gateway today; later the URLs we deliver webhooks to) is
// an address on the public internet. Refused: private, loopback, link-local, shared (carrier-grade
// NAT, 100.64.0.0/10), multicast, unspecified, documentation and otherwise reserved addresses, IPv4
// and IPv6 alike (an IPv6 address outside global unicast 2000::/3 is reserved; an IPv4-mapped or
// NAT64 address is judged by the IPv4 address it carries), and names that cannot be public: one
// label, or an internal or special-use suffix (`localhost`, `.local`, `.internal`, `.test`, ...).
// A name is checked as written, then resolved (every address it has, through the resolver the
// caller passes in) and refused when any of its addresses is; a name that does not resolve is
// refused too. The local stack may let loopback addresses and `localhost` names through
// (`allowLoopback`, from the local-only ALLOW_LOOPBACK_ADDRESSES).
//
// What this cannot do: a name checked now may point elsewhere later (DNS rebinding). Code that
// connects itself must check the address it connects to at every request; a gateway is dialled by
// Vapi, not by us, so the check at creation is what we can do for it.
import { ipv6Groups, lastIPv4 } from './ip';
import { net } from './node-net';

export type AddressKind = 'unspecified' | 'loopback' | 'private' | 'shared' | 'link-local' | 'multicast' | 'documentation' | 'reserved';

/** The ranges refused, by kind, in the order they are tried (the first match names the kind). */
const RANGES: { kind: AddressKind; v4?: string[]; v6?: string[] }[] = [
  { kind: 'unspecified', v4: ['0.0.0.0/8'], v6: ['::/128'] },
  { kind: 'loopback', v4: ['127.0.0.0/8'], v6: ['::1/128'] },
  // fec0::/10: the deprecated site-local addresses; 64:ff9b:1::/48: NAT64 for local use.
  { kind: 'private', v4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], v6: ['fc00::/7', 'fec0::/10', '64:ff9b:1::/48'] },
  { kind: 'shared', v4: ['100.64.0.0/10'] },
  { kind: 'link-local', v4: ['169.254.0.0/16'], v6: ['fe80::/10'] },
  { kind: 'multicast', v4: ['224.0.0.0/4'], v6: ['ff00::/8'] },
  { kind: 'documentation', v4: ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'], v6: ['2001:db8::/32', '3fff::/20'] },
  // IETF protocol assignments, 6to4 relays, benchmarking, 240/4 (broadcast included); IPv4-compatible
  // IPv6 (::/8), discard-only, Teredo and the rest of 2001::/23, 6to4 (it carries any IPv4 address), SRv6.
  { kind: 'reserved', v4: ['192.0.0.0/24', '192.88.99.0/24', '198.18.0.0/15', '240.0.0.0/4'], v6: ['::/8', '100::/64', '2001::/23', '2002::/16', '5f00::/16'] },
];

// One BlockList per kind and family: a list holding IPv6 rules also matches IPv4 addresses (as
// IPv4-mapped), so the families are never mixed in one list. Built at the first address checked, not
// at load: most requests of the functions bundling this file check none (a tool's deletion, a Sipgate line).
const blockList = (family: 'ipv4' | 'ipv6', subnets: string[] = []) => {
  const list = new net.BlockList();
  for (const s of subnets) {
    const [address, prefix] = s.split('/') as [string, string];
    list.addSubnet(address, Number(prefix), family);
  }
  return list;
};
const buildLists = () => RANGES.map(({ kind, v4, v6 }) => ({ kind, v4: blockList('ipv4', v4), v6: blockList('ipv6', v6) }));
let built: ReturnType<typeof buildLists> | undefined;
const lists = () => (built ??= buildLists());

const WORDS: Record<AddressKind, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  shared: 'a shared (carrier-grade NAT) address',
  'link-local': 'a link-local address',
  multicast: 'a multicast address',
  documentation: 'a documentation address',
  reserved: 'a reserved address',
};

/** Suffixes no public name has: local and internal names, special-use and reserved top-level domains. */
export const INTERNAL_SUFFIXES = ['localhost', 'local', 'internal', 'intranet', 'lan', 'home', 'corp', 'private', 'arpa', 'test', 'invalid', 'example', 'onion', 'alt'] as const;

export interface AddressPolicy {
  /** Let loopback addresses and `localhost` names through (the local stack's ALLOW_LOOPBACK_ADDRESSES). */
  allowLoopback?: boolean;
}

/** Every address a name resolves to (a resolver that fails throws). */
export type ResolveHost = (name: string) => Promise<string[]>;

/** The system's resolver (getaddrinfo, as a connection would use it): every address, IPv4 and IPv6. */
export const resolveWithDns: ResolveHost = async (name) =>
  (await process.getBuiltinModule('node:dns/promises').lookup(name, { all: true, order: 'verbatim' })).map((a) => a.address);

/** What kind of non-public address `ip` is; undefined for a public one (or one the policy lets through). */
export function addressKind(ip: string, policy: AddressPolicy = {}): AddressKind | undefined {
  const kind = rawKind(ip);
  return kind === 'loopback' && policy.allowLoopback ? undefined : kind;
}

function rawKind(ip: string): AddressKind | undefined {
  if (net.isIPv4(ip)) return lists().find((l) => l.v4.check(ip, 'ipv4'))?.kind;
  const g = ipv6Groups(ip);
  if (!g) return 'reserved';
  // IPv4-mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96) addresses reach the IPv4 address they carry.
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (mapped || nat64) return rawKind(lastIPv4(g));
  return lists().find((l) => l.v6.check(ip, 'ipv6'))?.kind ?? ((g[0]! & 0xe000) === 0x2000 ? undefined : 'reserved');
}

/** Why `name` (not an IP address) cannot be a public host name; undefined when it can. */
export function nameRefusal(name: string, policy: AddressPolicy = {}): string | undefined {
  const host = name.toLowerCase().replace(/\.$/, '');
  const labels = host.split('.');
  if (!host || labels.some((l) => l === '')) return `${name} is not a host name`;
  const loopbackName = host === 'localhost' || host.endsWith('.localhost');
  if (loopbackName) return policy.allowLoopback ? undefined : `${name} is a loopback name`;
  const suffix = INTERNAL_SUFFIXES.find((s) => host === s || host.endsWith(`.${s}`));
  if (suffix) return `${name} is an internal name (.${suffix})`;
  if (labels.length < 2) return `${name} is a single-label name, not a public DNS name`;
  // 127.1, 0x7f.1: what getaddrinfo would read as an IPv4 address.
  if (/^(\d+|0x[0-9a-f]*)$/.test(labels.at(-1)!)) return `${name} is a numeric name, not a host name`;
  return undefined;
}

export type HostCheck = { ok: true; addresses: string[] } | { ok: false; reason: string };

export interface HostCheckOptions extends AddressPolicy {
  resolve: ResolveHost;
  /** How long resolving may take; default 3 s. */
  timeoutMs?: number;
}

/**
 * Whether `host` (a name, an IP address, or an IPv6 address in brackets) is on the public internet:
 * an address by itself, a name by its form and then by every address it resolves to.
 */
export async function checkPublicHost(host: string, opts: HostCheckOptions): Promise<HostCheck> {
  const bare = /^\[(.*)\]$/.exec(host)?.[1] ?? host;
  if (net.isIP(bare)) {
    const kind = addressKind(bare, opts);
    return kind ? { ok: false, reason: `${host} is ${WORDS[kind]}` } : { ok: true, addresses: [bare] };
  }
  const refusal = nameRefusal(host, opts);
  if (refusal) return { ok: false, reason: refusal };
  let addresses: string[];
  try {
    addresses = await withTimeout(opts.resolve(host), opts.timeoutMs ?? 3000);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { ok: false, reason: `${host} does not resolve${typeof code === 'string' ? ` (${code})` : ''}` };
  }
  if (addresses.length === 0) return { ok: false, reason: `${host} does not resolve (no address)` };
  for (const address of addresses) {
    if (!net.isIP(address)) return { ok: false, reason: `${host} does not resolve to an IP address` };
    const kind = addressKind(address, opts);
    if (kind) return { ok: false, reason: `${host} resolves to ${address}, ${WORDS[kind]}` };
  }
  return { ok: true, addresses };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('resolving timed out'), { code: 'ETIMEOUT' })), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
