// AWS Signature Version 4 as S3 checks it, for the S3 emulator: a request signed in its Authorization
// header, or presigned in its query (X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders,
// -Signature). The emulator recomputes the signature from the request as it arrived (the canonical
// request of the SigV4 specification: method, the path as sent, the sorted and RFC 3986-encoded query
// without the signature, the signed headers, the payload hash: the `x-amz-content-sha256` header, or
// UNSIGNED-PAYLOAD for a presigned URL) and compares it, and refuses a presigned URL past its expiry.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type SigV4Outcome =
  | { ok: true; accessKeyId: string; presigned: boolean }
  | { ok: false; code: 'AccessDenied' | 'SignatureDoesNotMatch' | 'InvalidAccessKeyId' | 'AuthorizationQueryParametersError'; message: string; extra?: Record<string, string> };

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** S3's longest presigned lifetime: seven days. */
const MAX_EXPIRES = 604_800;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** 20260101T120000Z → its instant, or NaN. */
function amzInstant(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

function canonicalQuery(url: URL, without: string): string {
  const pairs: [string, string][] = [];
  url.searchParams.forEach((value, key) => {
    if (key !== without) pairs.push([rfc3986(key), rfc3986(value)]);
  });
  pairs.sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function signature(input: {
  method: string;
  url: URL;
  headers: Headers;
  signedHeaders: string[];
  payloadHash: string;
  amzDate: string;
  scope: string;
  secret: string;
  queryWithout: string;
}): string {
  const canonicalHeaders = input.signedHeaders.map((h) => `${h}:${(input.headers.get(h) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [
    input.method,
    input.url.pathname,
    canonicalQuery(input.url, input.queryWithout),
    canonicalHeaders,
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
  const stringToSign = [ALGORITHM, input.amzDate, input.scope, sha256(canonicalRequest)].join('\n');
  const [date, region, service, terminal] = input.scope.split('/');
  const key = hmac(hmac(hmac(hmac(`AWS4${input.secret}`, date!), region!), service!), terminal!);
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Checks a request's SigV4 signature against the secrets by access key id; `now` is the emulator's
 * clock (a presigned URL expires by it); `body` the bytes that came (their hash must be the signed one).
 */
export function verifySigV4(req: { method: string; url: URL; headers: Headers; body?: Buffer }, secrets: Record<string, string>, now: Date): SigV4Outcome {
  const q = req.url.searchParams;
  const presigned = q.has('X-Amz-Algorithm') || q.has('X-Amz-Signature');
  let credential: string, signedHeaders: string[], given: string, amzDate: string, payloadHash: string;
  if (presigned) {
    const need = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];
    const missing = need.filter((n) => !q.get(n));
    if (missing.length || q.get('X-Amz-Algorithm') !== ALGORITHM) {
      return { ok: false, code: 'AuthorizationQueryParametersError', message: `Query-string authentication version 4 requires the ${need.join(', ')} parameters.` };
    }
    credential = q.get('X-Amz-Credential')!;
    signedHeaders = q.get('X-Amz-SignedHeaders')!.split(';');
    given = q.get('X-Amz-Signature')!;
    amzDate = q.get('X-Amz-Date')!;
    payloadHash = 'UNSIGNED-PAYLOAD';
    const expires = Number(q.get('X-Amz-Expires'));
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES) {
      return { ok: false, code: 'AuthorizationQueryParametersError', message: 'X-Amz-Expires must be less than a week (in seconds) that is 604800' };
    }
    const signedAt = amzInstant(amzDate);
    if (Number.isNaN(signedAt)) return { ok: false, code: 'AuthorizationQueryParametersError', message: 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"' };
    const expiresAt = signedAt + expires * 1000;
    if (now.getTime() > expiresAt) {
      return {
        ok: false,
        code: 'AccessDenied',
        message: 'Request has expired',
        extra: { 'X-Amz-Expires': String(expires), Expires: new Date(expiresAt).toISOString(), ServerTime: now.toISOString() },
      };
    }
  } else {
    const m = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/.exec(req.headers.get('authorization') ?? '');
    if (!m) return { ok: false, code: 'AccessDenied', message: 'Access Denied' };
    [, credential, , given] = m as unknown as [string, string, string, string];
    signedHeaders = m[2]!.split(';');
    amzDate = req.headers.get('x-amz-date') ?? '';
    payloadHash = req.headers.get('x-amz-content-sha256') ?? '';
    if (!payloadHash) return { ok: false, code: 'AccessDenied', message: 'Missing required header for this request: x-amz-content-sha256' };
    if (/^[0-9a-f]{64}$/.test(payloadHash) && payloadHash !== sha256(req.body ?? Buffer.alloc(0))) {
      return { ok: false, code: 'SignatureDoesNotMatch', message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
    }
  }
  const [accessKeyId, ...scopeParts] = credential.split('/');
  const secret = secrets[accessKeyId ?? ''];
  if (!secret) return { ok: false, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  const scope = scopeParts.join('/');
  if (scopeParts.length !== 4 || scopeParts[2] !== 's3' || scopeParts[3] !== 'aws4_request' || !amzDate.startsWith(scopeParts[0]!)) {
    return { ok: false, code: 'SignatureDoesNotMatch', message: 'The credential scope is not one of this service.' };
  }
  if (!signedHeaders.includes('host')) return { ok: false, code: 'AccessDenied', message: 'The host header must be signed.' };
  const expected = signature({
    method: req.method,
    url: req.url,
    headers: req.headers,
    signedHeaders,
    payloadHash,
    amzDate,
    scope,
    secret,
    queryWithout: presigned ? 'X-Amz-Signature' : '\u0000',
  });
  if (!same(expected, given)) {
    return { ok: false, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
  }
  return { ok: true, accessKeyId: accessKeyId!, presigned };
}
