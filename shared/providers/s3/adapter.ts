// The exports bucket through the official S3 client and presigner. Each account's files live under a
// prefix of its own, named by a hash of the user id (an object key names nobody): `accounts/<hash>/
// <exportId>/<file>`. Objects are written with server-side encryption (SSE-S3, as the bucket's
// default also enforces on AWS). Locally `endpoint` points the client at the S3 emulator, path-style.
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ExportFiles } from './port';

export interface ExportsBucketSettings {
  bucket: string;
  region: string;
  /** The S3 emulator's base URL (local stack); unset on AWS. */
  endpoint?: string;
}

/** The prefix of an account's files. */
export const accountPrefix = (userId: string) => `accounts/${createHash('sha256').update(userId, 'utf8').digest('hex').slice(0, 32)}/`;

/** A file name as a Content-Disposition attachment (the names are ours: plain ASCII). */
const attachment = (fileName: string) => `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`;

export function s3ExportFiles(settings: ExportsBucketSettings): ExportFiles {
  const client = new S3Client({
    region: settings.region,
    maxAttempts: 3,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  const Bucket = settings.bucket;

  const keysOf = async (userId: string) => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: accountPrefix(userId), ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!).filter(Boolean));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  };

  return {
    async save(file) {
      const key = `${accountPrefix(file.userId)}${file.exportId}/${file.name}`;
      const body = Buffer.from(file.body, 'utf8');
      await client.send(
        new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: file.contentType, ContentDisposition: attachment(file.name), ServerSideEncryption: 'AES256' }),
      );
      return { key, bytes: body.length };
    },

    link(key, opts) {
      return getSignedUrl(client, new GetObjectCommand({ Bucket, Key: key, ResponseContentDisposition: attachment(opts.fileName) }), { expiresIn: opts.expiresInSeconds });
    },

    keysOf,

    async removeAccount(userId) {
      const keys = await keysOf(userId);
      for (const Key of keys) await client.send(new DeleteObjectCommand({ Bucket, Key }));
      return keys.length;
    },
  };
}
