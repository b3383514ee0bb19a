// The KMS key that protects partners' bank details (envelope encryption, shared/crypto/envelope.ts):
// one key per stage, created by CDK, whose ARN reaches the functions that seal or open them. Locally
// the KMS emulator holds the key and KMS_ENDPOINT points the same client at it.
import * as z from '../zod';
import { defineConfig } from './define';

/** The local stack's key, in the KMS emulator. */
export const LOCAL_PAYOUT_KEY_ID = '00000000-0000-4000-8000-00000000fa11';
export const LOCAL_PAYOUT_KEY_ALIAS = 'alias/fonella-local-payout';

export const payoutKeyConfig = /* @__PURE__ */ defineConfig(
  'payout key',
  () =>
    z.pipe(
      z.object({
        PAYOUT_KEY_ID: z.string().check(z.minLength(1)),
        KMS_ENDPOINT: z.optional(z.url()),
        AWS_REGION: z.string().check(z.minLength(1)),
      }),
      z.transform((e) => ({ keyId: e.PAYOUT_KEY_ID, endpoint: e.KMS_ENDPOINT, region: e.AWS_REGION })),
    ),
  { PAYOUT_KEY_ID: LOCAL_PAYOUT_KEY_ALIAS, KMS_ENDPOINT: 'http://127.0.0.1:4010', AWS_REGION: 'eu-central-1' },
);
