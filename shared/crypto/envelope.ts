// Envelope encryption of a few fields: KMS makes a fresh data key per sealing (GenerateDataKey), the
// fields are encrypted with it locally (AES-256-GCM, node:crypto), and only the KMS-wrapped data key
// is kept beside them. The encryption context (e.g. which partner) is bound twice: by KMS to the
// wrapped key and by GCM as additional data, so a sealed value copied onto another record does not
// open. One code path everywhere: on AWS the stage's keys (partners' bank details; customers' signing
// secrets), locally the KMS emulator's.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { payoutKeyConfig } from '../config/payout-key';
import { signingKeyConfig } from '../config/signing-key';
import { KeyServiceUnavailableError } from '../errors';

/** What the table stores: every part base64, nothing readable without the KMS key. */
export interface Sealed {
  /** Format version. */
  v: 1;
  /** The data key, wrapped by KMS under `keyId`. */
  wrappedKey: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

export interface KeyRing {
  seal(fields: Record<string, string>, context: Record<string, string>): Promise<Sealed>;
  open(sealed: Sealed, context: Record<string, string>): Promise<Record<string, string>>;
}

/** KMS failing to make a data key is the key service being unavailable, not a bug of the request. */
const unavailable = (err: unknown): never => {
  throw new KeyServiceUnavailableError({ cause: err });
};

const aad = (context: Record<string, string>) => Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : 1))));

export function kmsKeyRing(client: KMSClient, keyId: string): KeyRing {
  return {
    async seal(fields, context) {
      const key = await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context })).catch(unavailable);
      if (!key.Plaintext || !key.CiphertextBlob) throw new Error('KMS returned no data key');
      const plaintextKey = Buffer.from(key.Plaintext);
      try {
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', plaintextKey, iv).setAAD(aad(context));
        const ciphertext = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()]);
        return {
          v: 1,
          wrappedKey: Buffer.from(key.CiphertextBlob).toString('base64'),
          iv: iv.toString('base64'),
          tag: cipher.getAuthTag().toString('base64'),
          ciphertext: ciphertext.toString('base64'),
        };
      } finally {
        plaintextKey.fill(0);
      }
    },
    async open(sealed, context) {
      const key = await client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: Buffer.from(sealed.wrappedKey, 'base64'), EncryptionContext: context }));
      if (!key.Plaintext) throw new Error('KMS returned no data key');
      const plaintextKey = Buffer.from(key.Plaintext);
      try {
        const decipher = createDecipheriv('aes-256-gcm', plaintextKey, Buffer.from(sealed.iv, 'base64')).setAAD(aad(context));
        decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
        const text = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
        return JSON.parse(text) as Record<string, string>;
      } finally {
        plaintextKey.fill(0);
      }
    },
  };
}

const rings = new Map<string, KeyRing>();

/** A key ring on `c`'s key, created once per cold start (one KMS client per key and endpoint). */
function keyRingOf(c: { keyId: string; endpoint?: string; region: string }): KeyRing {
  const id = `${c.endpoint ?? ''} ${c.keyId}`;
  let ring = rings.get(id);
  if (!ring) {
    const client = new KMSClient({
      region: c.region,
      maxAttempts: 2,
      ...(c.endpoint ? { endpoint: c.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
    ring = kmsKeyRing(client, c.keyId);
    rings.set(id, ring);
  }
  return ring;
}

/** The function's key ring for partners' payout details. */
export const payoutKeyRing = (): KeyRing => keyRingOf(payoutKeyConfig());

/** The function's key ring for the signing secrets we hold for customers (custom tools'). */
export const signingKeyRing = (): KeyRing => keyRingOf(signingKeyConfig());
