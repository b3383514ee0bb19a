// A POST to a URL a customer gave us (a webhook endpoint today, a custom tool's later), that cannot be
// turned against our own network (SSRF). At every request: the URL's host is resolved and refused when
// any of its addresses is private, loopback, link-local, shared (CGNAT), multicast or reserved
// (./public-address.ts), and the connection goes to the address that was checked: it is handed to the
// socket as the lookup's answer, so a name that resolves elsewhere a moment later (DNS rebinding)
// cannot switch it. TLS still verifies the certificate for the URL's name. No redirect is followed (a
// 3xx is an answer like any other), the whole exchange has one deadline, and the answer's body is read
// up to a bound and cut there.
//
// Only `https:` is taken, unless the policy allows `http:` to a loopback address literal (the local
// stack's receivers on 127.0.0.1); a URL with a user name or password is refused.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { net } from './node-net';
import { addressKind, checkPublicHost, type AddressPolicy, type ResolveHost } from './public-address';

export interface GuardedFetchPolicy extends AddressPolicy {
  /** Takes `http:` URLs whose host is a loopback address literal (127.0.0.1, [::1]): the local stack only. */
  allowHttpLoopback?: boolean;
}

export interface GuardedFetchOptions extends GuardedFetchPolicy {
  resolve: ResolveHost;
  /** The whole exchange, resolving included: default 15 s. */
  timeoutMs?: number;
  /** The answer's body is read up to this many bytes (default 1024); the rest is not read. */
  maxBodyBytes?: number;
}

export interface GuardedPost {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What came back: an HTTP answer (any status, 3xx included), or why there was none. */
export type GuardedOutcome =
  | { ok: true; status: number; body: string; truncated: boolean; durationMs: number; address: string }
  | { ok: false; reason: 'refused' | 'timeout' | 'network'; message: string; durationMs: number };

/** Why a URL cannot be called at all, before anything is resolved: undefined when its form is fine. */
export function urlRefusal(raw: string, policy: GuardedFetchPolicy = {}): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol === 'http:') {
    const loopbackLiteral = net.isIP(host) !== 0 && addressKind(host) === 'loopback';
    if (!(policy.allowHttpLoopback && loopbackLiteral)) return 'must use https';
  } else if (url.protocol !== 'https:') return 'must use https';
  return undefined;
}

/** The policy the address check gets: `http:` to a loopback literal implies letting loopback through. */
const addressPolicy = (url: URL, policy: GuardedFetchPolicy): AddressPolicy => ({
  allowLoopback: policy.allowLoopback || (policy.allowHttpLoopback === true && url.protocol === 'http:'),
});

/**
 * Whether a URL may be called now: its form (`urlRefusal`), then its host by every address it resolves
 * to. Answers the addresses checked, to connect to one of them.
 */
export async function checkUrl(raw: string, opts: GuardedFetchPolicy & { resolve: ResolveHost; timeoutMs?: number }): Promise<{ ok: true; url: URL; addresses: string[] } | { ok: false; reason: string }> {
  const refusal = urlRefusal(raw, opts);
  if (refusal) return { ok: false, reason: `the URL ${refusal}` };
  const url = new URL(raw);
  const check = await checkPublicHost(url.hostname, { ...addressPolicy(url, opts), resolve: opts.resolve, timeoutMs: opts.timeoutMs });
  return check.ok ? { ok: true, url, addresses: check.addresses } : { ok: false, reason: check.reason };
}

/** POSTs `body` to `url` as the file header says; never throws for what the endpoint or the network does. */
export async function guardedPost(req: GuardedPost, opts: GuardedFetchOptions): Promise<GuardedOutcome> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const elapsed = () => Date.now() - started;
  const checked = await checkUrl(req.url, { ...opts, timeoutMs: Math.min(timeoutMs, 3000) });
  if (!checked.ok) return { ok: false, reason: 'refused', message: checked.reason, durationMs: elapsed() };
  const { url, addresses } = checked;
  const address = addresses[0]!;
  const family = net.isIP(address) === 6 ? 6 : 4;
  // The socket asks this instead of DNS: the one address checked above, whatever the name says now.
  const pinned: LookupFunction = (_name, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const maxBody = opts.maxBodyBytes ?? 1024;

  return new Promise<GuardedOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: GuardedOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(outcome);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
        lookup: pinned,
        // A fresh connection per request: a pooled socket could have been opened to another address.
        agent: false,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const done = () => {
          const body = Buffer.concat(chunks).subarray(0, maxBody);
          finish({ ok: true, status: res.statusCode ?? 0, body: body.toString('utf8'), truncated, durationMs: elapsed(), address });
        };
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size > maxBody) {
            truncated = true;
            done();
          }
        });
        res.on('end', done);
        res.on('error', (err) => finish({ ok: false, reason: 'network', message: err.message, durationMs: elapsed() }));
      },
    );
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout', message: `no answer within ${timeoutMs / 1000} s`, durationMs: elapsed() }), Math.max(0, timeoutMs - elapsed()));
    request.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, reason: 'network', message: err.code ? `${err.code}: ${err.message}` : err.message, durationMs: elapsed() }));
    request.end(req.body);
  });
}

/**
 * A resolver that answers fixed addresses for some names before asking `fallback` (the local stack's
 * LOCAL_HOST_ADDRESSES): how a test points a public-looking name at a private address without DNS.
 */
export function withFixedHosts(fixed: Record<string, string[]>, fallback: ResolveHost): ResolveHost {
  const table = new Map(Object.entries(fixed).map(([name, addresses]) => [name.toLowerCase(), addresses]));
  return async (name) => table.get(name.toLowerCase().replace(/\.$/, '')) ?? fallback(name);
}
