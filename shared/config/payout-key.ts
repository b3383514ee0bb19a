// The KMS key that protects partners' bank details (envelope encryption, shared/crypto/envelope.ts):
// one key per stage, created by CDK, whose ARN reaches the functions that seal or open them. Locally
// the KMS emulator holds the key and KMS_ENDPOINT points the same client at it.
import { kmsKeyConfig } from './kms-key';

/** The local stack's key, in the KMS emulator. */
export const LOCAL_PAYOUT_KEY_ID = '00000000-0000-4000-8000-00000000fa11';
export const LOCAL_PAYOUT_KEY_ALIAS = 'alias/fonella-local-payout';

export const payoutKeyConfig = kmsKeyConfig('payout key', 'PAYOUT_KEY_ID', LOCAL_PAYOUT_KEY_ALIAS);
