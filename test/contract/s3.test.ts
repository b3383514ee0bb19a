// The exports bucket (shared/providers/s3) through the real @aws-sdk/client-s3 and its presigner
// against the S3 emulator, over HTTP, path-style: objects are written, read, listed by prefix a page at
// a time and deleted; every request's SigV4 signature is recomputed, so a wrong secret or a tampered
// presigned URL is refused as S3 refuses it, and a presigned URL works until its expiry and not after.
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { createS3Emulator } from '../../lib/local/emulators/s3';
import { LOCAL_EXPORTS_BUCKET } from '../../shared/config/exports';
import { accountPrefix, s3ExportFiles } from '../../shared/providers/s3/adapter';
import { useEmulator } from '../support/emulator';

const emu = useEmulator(createS3Emulator());
const Bucket = LOCAL_EXPORTS_BUCKET;
const client = (secretAccessKey = 'local') =>
  new S3Client({ region: 'eu-central-1', endpoint: emu.baseUrl, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey }, maxAttempts: 1 });
const advance = (advanceSeconds: number) =>
  fetch(`${emu.baseUrl}/_clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds }) });

describe('the S3 emulator with the real client', () => {
  it('puts, gets, lists by prefix a page at a time, and deletes objects', async () => {
    const s3 = client();
    for (const key of ['a/1.json', 'a/2.json', 'a/3.json', 'b/1.json']) {
      await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: `{"key":"${key}"}`, ContentType: 'application/json', ServerSideEncryption: 'AES256' }));
    }
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'a/2.json' }));
    expect(await got.Body!.transformToString()).toBe('{"key":"a/2.json"}');
    expect(got.ContentType).toBe('application/json');
    expect(got.ServerSideEncryption).toBe('AES256');

    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'a/', MaxKeys: 2, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages++;
    } while (token);
    expect(keys).toEqual(['a/1.json', 'a/2.json', 'a/3.json']);
    expect(pages).toBe(2);

    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'a/2.json' }));
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'a/2.json' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    // Deleting what is not there is no error, as in S3.
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'a/2.json' }));
    await expect(s3.send(new GetObjectCommand({ Bucket: 'another-bucket', Key: 'x' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('refuses a request signed with the wrong secret, and one not signed at all', async () => {
    await expect(client('not-the-secret').send(new PutObjectCommand({ Bucket, Key: 'x.json', Body: '{}' }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    const unsigned = await fetch(`${emu.baseUrl}/${Bucket}/x.json`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>AccessDenied</Code>');
    const inspected = (await (await fetch(`${emu.baseUrl}/_inspect`)).json()) as { objects: { key: string }[] };
    expect(inspected.objects.map((o) => o.key)).not.toContain('x.json');
  });

  it('a presigned GET works until X-Amz-Date + X-Amz-Expires, then answers 403 "Request has expired"', async () => {
    const s3 = client();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'p/export.json', Body: '{"ok":true}', ContentType: 'application/json' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'p/export.json', ResponseContentDisposition: 'attachment; filename="export.json"' }), {
      expiresIn: 600,
    });
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('600');
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('{"ok":true}');
    expect(ok.headers.get('content-disposition')).toBe('attachment; filename="export.json"');

    // Tampered: another key under the same signature, another expiry, another signature.
    const otherKey = url.replace('/p/export.json', '/p/other.json');
    expect((await fetch(otherKey)).status).toBe(403);
    const longer = new URL(url);
    longer.searchParams.set('X-Amz-Expires', '6000');
    const refused = await fetch(longer);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const forged = new URL(url);
    forged.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    expect((await fetch(forged)).status).toBe(403);

    // The clock also runs on its own while the test does: a margin of a few seconds either side.
    expect((await advance(595)).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
    await advance(6);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    const text = await expired.text();
    expect(text).toContain('<Code>AccessDenied</Code>');
    expect(text).toContain('<Message>Request has expired</Message>');
  });
});

describe('the exports bucket adapter', () => {
  it("keeps an account's files under a prefix naming nobody, links them, and removes them all", async () => {
    const files = s3ExportFiles({ bucket: Bucket, region: 'eu-central-1', endpoint: emu.baseUrl });
    const userId = 'auth0|adapter-user';
    const other = 'auth0|someone-else';
    const a = await files.save({ userId, exportId: 'e1', name: 'fonella-export.json', contentType: 'application/json', body: '{"schemaVersion":1}' });
    await files.save({ userId, exportId: 'e1', name: 'calls.csv', contentType: 'text/csv', body: 'callId\n' });
    await files.save({ userId: other, exportId: 'e2', name: 'calls.csv', contentType: 'text/csv', body: 'callId\n' });
    expect(a.key.startsWith(accountPrefix(userId))).toBe(true);
    expect(a.key).not.toContain('adapter-user');
    expect(a.bytes).toBe(19);
    const inspected = (await (await fetch(`${emu.baseUrl}/_inspect`)).json()) as { objects: { key: string; serverSideEncryption: string }[] };
    expect(inspected.objects.find((o) => o.key === a.key)?.serverSideEncryption).toBe('AES256');

    const link = await files.link(a.key, { fileName: 'fonella-export.json', expiresInSeconds: 300 });
    const res = await fetch(link);
    expect(await res.text()).toBe('{"schemaVersion":1}');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="fonella-export.json"');

    expect((await files.keysOf(userId)).sort()).toEqual([`${accountPrefix(userId)}e1/calls.csv`, `${accountPrefix(userId)}e1/fonella-export.json`]);
    expect(await files.removeAccount(userId)).toBe(2);
    expect(await files.keysOf(userId)).toEqual([]);
    expect(await files.keysOf(other)).toHaveLength(1);
  });
});
