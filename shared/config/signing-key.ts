// The KMS key that protects the signing secrets Fonella holds for its customers (a custom tool's,
// shared/crypto/envelope.ts): one key per stage, created by CDK, apart from the payout key, so that a
// function that opens a tool's secret cannot open bank details. Locally the KMS emulator holds it and
// KMS_ENDPOINT points the same client at it.
import { kmsKeyConfig } from './kms-key';

/** The local stack's key, in the KMS emulator. */
export const LOCAL_SIGNING_KEY_ID = '00000000-0000-4000-8000-0000000051c7';
export const LOCAL_SIGNING_KEY_ALIAS = 'alias/fonella-local-signing';

export const signingKeyConfig = kmsKeyConfig('signing key', 'SIGNING_KEY_ID', LOCAL_SIGNING_KEY_ALIAS);
