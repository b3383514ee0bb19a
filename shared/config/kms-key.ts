// A KMS key's settings, as each envelope key's config declares them (./payout-key.ts, ./signing-key.ts):
// its id or ARN in `variable` (CDK sets the stage key's ARN; locally the KMS emulator's alias) and,
// locally, the emulator's endpoint in KMS_ENDPOINT.
import { defineConfig, nonEmpty, optional, url } from './define';

export const LOCAL_KMS_ENDPOINT = 'http://127.0.0.1:4010';

export function kmsKeyConfig(section: string, variable: string, localKeyId: string) {
  return defineConfig(
    section,
    { [variable]: nonEmpty, KMS_ENDPOINT: optional(url), AWS_REGION: nonEmpty },
    (e) => ({ keyId: e[variable]!, endpoint: e.KMS_ENDPOINT, region: e.AWS_REGION! }),
    { [variable]: localKeyId, KMS_ENDPOINT: LOCAL_KMS_ENDPOINT, AWS_REGION: 'eu-central-1' },
  );
}
