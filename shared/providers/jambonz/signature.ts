// jambonz's webhook signature, as jambonz makes and checks it. Checked against jambonz's own code:
// - the feature server signs each webhook request it sends with the account's `webhook_secret`:
//   header `Jambonz-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the body
//   being the exact JSON text it posts;
// - @jambonz/node-client (jambonz/jambonz-node, lib/jambonz/webhook-response.js,
//   `WebhookResponse.verifyJambonzSignature(secret)`) verifies it: split on ",", take `t` and every
//   `v1`, recompute over `${t}.${body}` (a parsed body is re-serialised with JSON.stringify; we use
//   the raw text, which is what was signed), compare in constant time against any `v1`, and refuse a
//   timestamp older than 300 s (DEFAULT_TOLERANCE). The scheme is Stripe's, with its own header name.
// We also refuse a timestamp more than 300 s ahead (the client library does not look at that side).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Seconds a signature stays valid, as in jambonz's client library. */
export const JAMBONZ_SIGNATURE_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, t: number | string, body: string) => createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');

/** The header jambonz sends with `body` (the emulator and tests sign with it). */
export function signJambonzBody(body: string, secret: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

/** Whether `header` is a valid, fresh signature of exactly `body` with `secret`. */
export function verifyJambonzSignature(body: string, header: string | undefined, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  if (!header || header.length > 1024) return false;
  let t: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=');
    if (key === 't') t = value;
    else if (key === 'v1' && value) signatures.push(value);
  }
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - Number(t)) > JAMBONZ_SIGNATURE_TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(hmac(secret, t, body));
  return signatures.some((s) => {
    const given = Buffer.from(s);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
