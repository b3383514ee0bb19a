// AWS KMS emulator: the two operations envelope encryption needs (shared/crypto/envelope.ts), in
// KMS's JSON 1.1 protocol, so the local stack runs the code path Lambda runs against the stage's key:
//   POST /  X-Amz-Target: TrentService.GenerateDataKey  { KeyId, KeySpec | NumberOfBytes, EncryptionContext? }
//           → { KeyId, Plaintext, CiphertextBlob } (blobs base64, as the SDK expects)
//   POST /  X-Amz-Target: TrentService.Decrypt  { CiphertextBlob, KeyId?, EncryptionContext? }
//           → { KeyId, Plaintext, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" }
// Two local keys (LOCAL_PAYOUT_KEY_ID for bank details, LOCAL_SIGNING_KEY_ID for customers' signing
// secrets, each also reachable by its alias) wrap the data keys with
// AES-256-GCM, the encryption context as additional data: a blob decrypts only under the context it
// was made with, and a wrong or tampered blob answers InvalidCiphertextException as KMS does. An
// unknown key answers NotFoundException; a request without SigV4 authorization answers
// MissingAuthenticationTokenException. /_inspect lists the keys and how often each was used, never a
// key's bytes; the local keys stay across /_reset (blobs in the table must stay readable), their use
// counts start again.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { LOCAL_PAYOUT_KEY_ALIAS, LOCAL_PAYOUT_KEY_ID } from '../../../../shared/config/payout-key';
import { LOCAL_SIGNING_KEY_ALIAS, LOCAL_SIGNING_KEY_ID } from '../../../../shared/config/signing-key';
import { Router, json, type EmulatorDefinition } from '../kit';

const REGION = 'eu-central-1';
const ACCOUNT = '000000000000';
const keyArn = (id: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;

const generateSchema = z.object({
  KeyId: z.string().min(1),
  KeySpec: z.enum(['AES_256', 'AES_128']).optional(),
  NumberOfBytes: z.number().int().min(1).max(1024).optional(),
  EncryptionContext: z.record(z.string(), z.string()).optional(),
});
const decryptSchema = z.object({
  CiphertextBlob: z.string().min(1),
  KeyId: z.string().optional(),
  EncryptionContext: z.record(z.string(), z.string()).optional(),
});

interface LocalKey {
  id: string;
  arn: string;
  alias: string;
  material: Buffer;
  generated: number;
  decrypted: number;
}

const kmsError = (type: string, message: string, status = 400) => json({ __type: type, message }, status, { 'content-type': 'application/x-amz-json-1.1' });

/** The context as KMS binds it: the same pairs in any order are the same context. */
const contextBytes = (ctx: Record<string, string> = {}) =>
  Buffer.from(JSON.stringify(Object.entries(ctx).sort(([a], [b]) => (a < b ? -1 : 1))));

export function createKmsEmulator(): EmulatorDefinition {
  const keys = new Map<string, LocalKey>();
  const addKey = (id: string, alias: string) => keys.set(id, { id, arn: keyArn(id), alias, material: randomBytes(32), generated: 0, decrypted: 0 });
  addKey(LOCAL_PAYOUT_KEY_ID, LOCAL_PAYOUT_KEY_ALIAS);
  addKey(LOCAL_SIGNING_KEY_ID, LOCAL_SIGNING_KEY_ALIAS);

  const findKey = (ref: string) =>
    keys.get(ref) ?? [...keys.values()].find((k) => k.arn === ref || k.alias === ref || `arn:aws:kms:${REGION}:${ACCOUNT}:${k.alias}` === ref);

  // A blob is the key id's length, the key id, the IV, the tag and the wrapped bytes: like KMS's own
  // blobs, it names the key that made it, so Decrypt needs no KeyId.
  const wrap = (key: LocalKey, plaintext: Buffer, ctx?: Record<string, string>) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.material, iv).setAAD(contextBytes(ctx));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const id = Buffer.from(key.id);
    return Buffer.concat([Buffer.from([id.length]), id, iv, cipher.getAuthTag(), body]);
  };
  const unwrap = (blob: Buffer, ctx?: Record<string, string>) => {
    const idLength = blob[0] ?? 0;
    const key = keys.get(blob.subarray(1, 1 + idLength).toString());
    if (!key || blob.length < 1 + idLength + 28) return undefined;
    const at = 1 + idLength;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.material, blob.subarray(at, at + 12)).setAAD(contextBytes(ctx));
      decipher.setAuthTag(blob.subarray(at + 12, at + 28));
      return { key, plaintext: Buffer.concat([decipher.update(blob.subarray(at + 28)), decipher.final()]) };
    } catch {
      return undefined;
    }
  };

  const operations: Record<string, (body: unknown) => Response> = {
    GenerateDataKey: (body) => {
      const input = generateSchema.safeParse(body);
      if (!input.success) return kmsError('ValidationException', input.error.issues.map((i) => i.message).join('; '));
      const { KeyId, KeySpec, NumberOfBytes, EncryptionContext } = input.data;
      if ((KeySpec === undefined) === (NumberOfBytes === undefined)) {
        return kmsError('ValidationException', 'Exactly one of KeySpec or NumberOfBytes must be given.');
      }
      const key = findKey(KeyId);
      if (!key) return kmsError('NotFoundException', `Key '${KeyId}' does not exist`);
      const plaintext = randomBytes(NumberOfBytes ?? (KeySpec === 'AES_128' ? 16 : 32));
      key.generated += 1;
      return json(
        { KeyId: key.arn, Plaintext: plaintext.toString('base64'), CiphertextBlob: wrap(key, plaintext, EncryptionContext).toString('base64') },
        200,
        { 'content-type': 'application/x-amz-json-1.1' },
      );
    },
    Decrypt: (body) => {
      const input = decryptSchema.safeParse(body);
      if (!input.success) return kmsError('ValidationException', input.error.issues.map((i) => i.message).join('; '));
      const opened = unwrap(Buffer.from(input.data.CiphertextBlob, 'base64'), input.data.EncryptionContext);
      if (!opened) return kmsError('InvalidCiphertextException', '');
      if (input.data.KeyId && findKey(input.data.KeyId) !== opened.key) return kmsError('IncorrectKeyException', 'The key ID in the request does not identify the key that encrypted the ciphertext.');
      opened.key.decrypted += 1;
      return json(
        { KeyId: opened.key.arn, Plaintext: opened.plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
        200,
        { 'content-type': 'application/x-amz-json-1.1' },
      );
    },
  };

  const routes = new Router().post('/', async ({ req }) => {
    const target = req.headers.get('x-amz-target') ?? '';
    const operation = operations[target.replace(/^TrentService\./, '')];
    if (!target.startsWith('TrentService.') || !operation) return kmsError('UnknownOperationException', '');
    let body: unknown;
    try {
      body = JSON.parse(await req.text());
    } catch {
      return kmsError('SerializationException', 'The request body is not JSON.');
    }
    return operation(body);
  });

  return {
    name: 'kms',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local', payoutKeyId: LOCAL_PAYOUT_KEY_ID, signingKeyId: LOCAL_SIGNING_KEY_ID },
    env: (baseUrl) => ({ KMS_ENDPOINT: baseUrl, PAYOUT_KEY_ID: LOCAL_PAYOUT_KEY_ALIAS, SIGNING_KEY_ID: LOCAL_SIGNING_KEY_ALIAS }),
    routes,
    inspect: () => ({ keys: [...keys.values()].map((k) => ({ keyId: k.id, arn: k.arn, alias: k.alias, dataKeysGenerated: k.generated, decrypts: k.decrypted })) }),
    // The key material stays (what the table holds must stay readable); the use counts start again.
    reset: () => {
      for (const k of keys.values()) Object.assign(k, { generated: 0, decrypted: 0 });
    },
    authorize: (req) =>
      /^AWS4-HMAC-SHA256 Credential=\w+\//.test(req.headers.get('authorization') ?? '')
        ? undefined
        : kmsError('MissingAuthenticationTokenException', 'Missing Authentication Token'),
    faultResponse: () => kmsError('KMSInternalException', 'An internal error occurred.', 500),
  };
}
