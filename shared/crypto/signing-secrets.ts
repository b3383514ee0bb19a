// The secrets of the Standard Webhooks scheme (./standard-webhooks.ts signs with them): `whsec_` and
// base64 of 24 random bytes, as the specification's reference package makes them. Apart from the
// signing, so the routes that make or mask a secret (webhook endpoints, tools) carry no signing code.
import { randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** A new signing secret (shown to its owner once). */
export const newSigningSecret = (): string => `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;

/** A secret as a log line or an answer after its creation may show it: the prefix and its last four characters. */
export const maskSecret = (secret: string): string => `${SECRET_PREFIX}…${secret.slice(-4)}`;
