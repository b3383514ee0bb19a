// Envelope encryption (shared/crypto/envelope.ts) through the real KMS client against the KMS
// emulator, over HTTP: a sealed value opens under its own context only, holds none of its clear
// text, and a tampered part or a foreign key fails. The emulator answers as KMS does.
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createKmsEmulator } from '../../lib/local/emulators/kms';
import { LOCAL_PAYOUT_KEY_ALIAS, LOCAL_PAYOUT_KEY_ID } from '../../shared/config/payout-key';
import { LOCAL_SIGNING_KEY_ALIAS, LOCAL_SIGNING_KEY_ID } from '../../shared/config/signing-key';
import { kmsKeyRing } from '../../shared/crypto/envelope';
import { useEmulator } from '../support/emulator';

const emu = useEmulator(createKmsEmulator());
const client = () => new KMSClient({ region: 'eu-central-1', endpoint: emu.baseUrl, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
const ring = () => kmsKeyRing(client(), LOCAL_PAYOUT_KEY_ALIAS);
const FIELDS = { iban: 'DE89370400440532013000', accountHolder: 'Erika Mustermann' };
const CONTEXT = { purpose: 'partner-payout', partnerId: 'p_1' };

describe('envelope encryption with the KMS emulator', () => {
  it('seals fields so that only their own context opens them', async () => {
    const sealed = await ring().seal(FIELDS, CONTEXT);
    expect(JSON.stringify(sealed)).not.toContain('DE89');
    expect(JSON.stringify(sealed)).not.toContain('Mustermann');
    await expect(ring().open(sealed, CONTEXT)).resolves.toEqual(FIELDS);
    await expect(ring().open(sealed, { ...CONTEXT, partnerId: 'p_2' })).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });

  it('a fresh data key per sealing, and a tampered part does not open', async () => {
    const a = await ring().seal(FIELDS, CONTEXT);
    const b = await ring().seal(FIELDS, CONTEXT);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    const flipped = Buffer.from(a.ciphertext, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    await expect(ring().open({ ...a, ciphertext: flipped.toString('base64') }, CONTEXT)).rejects.toThrow();
    const wrapped = Buffer.from(a.wrappedKey, 'base64');
    wrapped[wrapped.length - 1] = wrapped[wrapped.length - 1]! ^ 1;
    await expect(ring().open({ ...a, wrappedKey: wrapped.toString('base64') }, CONTEXT)).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    const state = await emu.inspect<{ keys: { keyId: string; dataKeysGenerated: number }[] }>();
    expect(state.keys).toEqual([
      expect.objectContaining({ keyId: LOCAL_PAYOUT_KEY_ID, dataKeysGenerated: 2 }),
      expect.objectContaining({ keyId: LOCAL_SIGNING_KEY_ID, dataKeysGenerated: 0 }),
    ]);
  });

  it('the signing key is another key: what it sealed does not open under the payout key', async () => {
    const signing = kmsKeyRing(client(), LOCAL_SIGNING_KEY_ALIAS);
    const sealed = await signing.seal(FIELDS, CONTEXT);
    await expect(signing.open(sealed, CONTEXT)).resolves.toEqual(FIELDS);
    await expect(ring().open(sealed, CONTEXT)).rejects.toMatchObject({ name: 'IncorrectKeyException' });
  });

  it('answers as KMS: unknown key, missing key spec, wrong key on decrypt, no signature', async () => {
    await expect(client().send(new GenerateDataKeyCommand({ KeyId: 'alias/nope', KeySpec: 'AES_256' }))).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(client().send(new GenerateDataKeyCommand({ KeyId: LOCAL_PAYOUT_KEY_ID }))).rejects.toMatchObject({ name: 'ValidationException' });
    const key = await client().send(new GenerateDataKeyCommand({ KeyId: `arn:aws:kms:eu-central-1:000000000000:key/${LOCAL_PAYOUT_KEY_ID}`, NumberOfBytes: 16 }));
    expect(key.Plaintext).toHaveLength(16);
    await expect(client().send(new DecryptCommand({ CiphertextBlob: key.CiphertextBlob, KeyId: 'alias/other' }))).rejects.toMatchObject({ name: 'IncorrectKeyException' });
    const plain = await client().send(new DecryptCommand({ CiphertextBlob: key.CiphertextBlob }));
    expect(Buffer.from(plain.Plaintext!).equals(Buffer.from(key.Plaintext!))).toBe(true);
    const unsigned = await fetch(emu.baseUrl, { method: 'POST', headers: { 'x-amz-target': 'TrentService.Decrypt' }, body: '{}' });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });
});
