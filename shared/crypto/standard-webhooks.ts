// Signing what we send to customers' URLs by the Standard Webhooks specification, with its reference
// package (`standardwebhooks`): a secret is `whsec_` and base64 of 24 random bytes; each request carries
// `webhook-id` (the message's id, the same on every attempt, for the receiver to drop repeats),
// `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`: `v1,<base64 HMAC-SHA256 of
// "<id>.<timestamp>.<body>">` per secret, space-separated, so during a rotation the old and the new
// secret both sign and a receiver holding either verifies. Webhook deliveries use it today; a custom
// tool's calls take the same headers with the tool's own secret.
//
// Making and masking secrets is ./signing-secrets.ts, apart: the package is CommonJS, so every bundle
// importing this file carries and runs it, and the routes that only make secrets need none of it.
import { Webhook } from 'standardwebhooks';

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
