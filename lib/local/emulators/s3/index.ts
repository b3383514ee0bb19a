// Amazon S3 emulator: the object calls the data exports make, path-style (`/<bucket>/<key>`), in S3's
// REST protocol (XML listings and errors), so the local stack runs the code path Lambda runs against
// the stage's bucket, through the real @aws-sdk/client-s3 and its presigner:
//   PUT    /<bucket>/<key>                    PutObject (Content-Type, Content-Disposition and the
//                                             server-side encryption header kept) → 200, ETag
//   GET    /<bucket>/<key>                    GetObject → the bytes; `response-content-disposition`
//                                             and `response-content-type` overrides as S3 takes them
//   DELETE /<bucket>/<key>                    DeleteObject → 204 (also for a key that is not there)
//   GET    /<bucket>?list-type=2&prefix=...   ListObjectsV2 (max-keys, continuation-token) → XML
// Every request must be signed with SigV4 (./sigv4.ts), in its Authorization header or presigned in
// its query; the signature is recomputed and compared, and a presigned URL past X-Amz-Date +
// X-Amz-Expires (by the emulator's clock) answers 403 AccessDenied "Request has expired", as S3 does.
// One bucket exists (LOCAL_EXPORTS_BUCKET); another answers NoSuchBucket.
// Test hooks: POST /_clock { advanceSeconds } moves the emulator's clock forward (a link's expiry
// without waiting), DELETE /_clock sets it back to the real time; /_inspect lists every object (bucket, key, size, type, encryption, when written),
// never its bytes; /_reset empties the bucket and sets the clock back.
import { createHash, randomUUID } from 'node:crypto';
import * as z from 'zod';
import { LOCAL_EXPORTS_BUCKET } from '../../../../shared/config/exports';
import { Router, json, type EmulatorDefinition } from '../kit';
import { verifySigV4 } from './sigv4';

const ACCESS_KEY_ID = 'local';
const SECRET_ACCESS_KEY = 'local';

interface StoredObject {
  body: Buffer;
  contentType: string;
  contentDisposition?: string;
  serverSideEncryption?: string;
  etag: string;
  lastModified: Date;
}

export interface S3Emulator extends EmulatorDefinition {
  /** Objects by bucket and key. */
  buckets: Map<string, Map<string, StoredObject>>;
  /** The emulator's clock (the real one, moved on by /_clock). */
  now(): Date;
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
const xml = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, { status, headers: { 'content-type': 'application/xml', 'x-amz-request-id': randomUUID(), ...headers } });

function s3Error(status: number, code: string, message: string, extra: Record<string, string> = {}): Response {
  const fields = Object.entries({ Code: code, Message: message, ...extra, RequestId: randomUUID() })
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  return xml(`<Error>${fields}</Error>`, status);
}

const clockSchema = z.strictObject({ advanceSeconds: z.number().int().min(0).max(30 * 86_400) });
const ERROR_STATUS: Record<string, number> = { AccessDenied: 403, SignatureDoesNotMatch: 403, InvalidAccessKeyId: 403, AuthorizationQueryParametersError: 400 };

export function createS3Emulator(): S3Emulator {
  const buckets = new Map<string, Map<string, StoredObject>>([[LOCAL_EXPORTS_BUCKET, new Map()]]);
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);

  const bucketOf = (name: string) => buckets.get(name);
  const noBucket = (name: string) => s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });

  const routes = new Router();
  routes.put('/:bucket/*key', async ({ req, params }) => {
    const bucket = bucketOf(params.bucket!);
    if (!bucket) return noBucket(params.bucket!);
    const body = Buffer.from(await req.arrayBuffer());
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    const sse = req.headers.get('x-amz-server-side-encryption') ?? undefined;
    bucket.set(params.key!, {
      body,
      contentType: req.headers.get('content-type') ?? 'binary/octet-stream',
      contentDisposition: req.headers.get('content-disposition') ?? undefined,
      serverSideEncryption: sse,
      etag,
      lastModified: now(),
    });
    return new Response(null, { status: 200, headers: { etag, ...(sse ? { 'x-amz-server-side-encryption': sse } : {}) } });
  });

  routes.get('/:bucket/*key', ({ params, url }) => {
    const bucket = bucketOf(params.bucket!);
    if (!bucket) return noBucket(params.bucket!);
    const o = bucket.get(params.key!);
    if (!o) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: params.key! });
    const disposition = url.searchParams.get('response-content-disposition') ?? o.contentDisposition;
    return new Response(new Uint8Array(o.body), {
      status: 200,
      headers: {
        'content-type': url.searchParams.get('response-content-type') ?? o.contentType,
        'content-length': String(o.body.length),
        etag: o.etag,
        'last-modified': o.lastModified.toUTCString(),
        ...(disposition ? { 'content-disposition': disposition } : {}),
        ...(o.serverSideEncryption ? { 'x-amz-server-side-encryption': o.serverSideEncryption } : {}),
      },
    });
  });

  routes.delete('/:bucket/*key', ({ params }) => {
    const bucket = bucketOf(params.bucket!);
    if (!bucket) return noBucket(params.bucket!);
    bucket.delete(params.key!);
    return new Response(null, { status: 204 });
  });

  routes.get('/:bucket', ({ params, url }) => {
    const bucket = bucketOf(params.bucket!);
    if (!bucket) return noBucket(params.bucket!);
    if (url.searchParams.get('list-type') !== '2') return s3Error(400, 'NotImplemented', 'This emulator lists objects with ListObjectsV2 only (list-type=2).');
    const prefix = url.searchParams.get('prefix') ?? '';
    const maxKeys = Math.min(1000, Math.max(0, Number(url.searchParams.get('max-keys') ?? 1000) || 0));
    const token = url.searchParams.get('continuation-token');
    const after = token ? Buffer.from(token, 'base64url').toString('utf8') : (url.searchParams.get('start-after') ?? '');
    const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page
      .map((k) => {
        const o = bucket.get(k)!;
        return `<Contents><Key>${escapeXml(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const next = truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)!, 'utf8').toString('base64url')}</NextContinuationToken>` : '';
    return xml(
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(params.bucket!)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${token ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : ''}${next}${contents}</ListBucketResult>`,
    );
  });

  routes.post('/_clock', async ({ req }) => {
    const input = clockSchema.safeParse(await req.json().catch(() => undefined));
    if (!input.success) return json({ message: 'body must be { advanceSeconds: whole seconds, up to 30 days }' }, 400);
    offsetMs += input.data.advanceSeconds * 1000;
    return json({ now: now().toISOString() });
  });

  routes.delete('/_clock', () => {
    offsetMs = 0;
    return json({ now: now().toISOString() });
  });

  return {
    name: 's3',
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, exportsBucket: LOCAL_EXPORTS_BUCKET },
    env: (baseUrl) => ({ S3_ENDPOINT: baseUrl, EXPORTS_BUCKET: LOCAL_EXPORTS_BUCKET }),
    routes,
    buckets,
    now,
    inspect: () => ({
      objects: [...buckets].flatMap(([bucket, objects]) =>
        [...objects].map(([key, o]) => ({
          id: `${bucket}/${key}`,
          bucket,
          key,
          size: o.body.length,
          contentType: o.contentType,
          serverSideEncryption: o.serverSideEncryption ?? null,
          lastModified: o.lastModified.toISOString(),
        })),
      ),
      // How far the clock was moved, not the time itself: the state must not change by itself.
      clock: { advancedSeconds: offsetMs / 1000 },
    }),
    reset: () => {
      for (const objects of buckets.values()) objects.clear();
      offsetMs = 0;
    },
    async authorize(req, url) {
      if (url.pathname.startsWith('/_')) return undefined;
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.from(await req.clone().arrayBuffer());
      const outcome = verifySigV4({ method: req.method, url, headers: req.headers, body }, { [ACCESS_KEY_ID]: SECRET_ACCESS_KEY }, now());
      return outcome.ok ? undefined : s3Error(ERROR_STATUS[outcome.code] ?? 403, outcome.code, outcome.message, outcome.extra);
    },
    faultResponse: () => s3Error(503, 'SlowDown', 'Please reduce your request rate.'),
  };
}
