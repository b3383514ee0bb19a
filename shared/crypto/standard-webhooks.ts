// Signing what we send to customers' URLs by the Standard Webhooks specification, with its reference
// package (`standardwebhooks`): a secret is `whsec_` and base64 of 24 random bytes; each request carries
// `webhook-id` (the message's id, the same on every attempt, for the receiver to drop repeats),
// `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`: `v1,<base64 HMAC-SHA256 of
// "<id>.<timestamp>.<body>">` per secret, space-separated, so during a rotation the old and the new
// secret both sign and a receiver holding either verifies. Webhook deliveries use it today; a custom
// tool's calls take the same headers with the tool's own secret.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const SECRET_PREFIX = 'whsec_';

/** A new signing secret (shown to its owner once). */
export const newSigningSecret = (): string => `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;

/** A secret as a log line or an answer after its creation may show it: the prefix and its last four characters. */
export const maskSecret = (secret: string): string => `${SECRET_PREFIX}…${secret.slice(-4)}`;

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The three headers for one attempt of message `id` with `body` (the exact bytes sent), signed with
 * every secret given (the current one first).
 */
export function signatureHeaders(input: { id: string; body: string; secrets: readonly string[]; at: Date }): SignedHeaders {
  if (input.secrets.length === 0) throw new Error('a message needs at least one secret to be signed with');
  // The package signs at whole seconds, as the header carries them.
  const at = new Date(Math.floor(input.at.getTime() / 1000) * 1000);
  const signatures = input.secrets.map((secret) => new Webhook(secret).sign(input.id, at, input.body));
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
