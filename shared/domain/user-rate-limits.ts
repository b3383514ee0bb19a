// enforceUserRateLimit — the public forms' rate limit (./public-form-guards.ts `enforceRateLimit`:
// fixed windows in the table, 429 `rate-limited` with Retry-After, nothing written over the limit)
// counted per signed-in user, or per user and one thing of theirs (a call). The counter's key holds a
// hash of the user id and the thing, not the ids themselves: the counters outlive no window and name
// nobody.
import { createHash } from 'node:crypto';
import type { RateLimit } from '../config/rate-limits';
import type { RateLimitsRepository } from '../db/rate-limits';
import { enforceRateLimit } from './public-form-guards';

/** Characters of base64url kept from the SHA-256: 132 bits. */
const CLIENT_KEY_LENGTH = 22;

export function userRateKey(userId: string, thing?: string): string {
  return createHash('sha256')
    .update(thing === undefined ? userId : `${userId}\u0000${thing}`)
    .digest('base64url')
    .slice(0, CLIENT_KEY_LENGTH);
}

export async function enforceUserRateLimit(
  rateLimits: RateLimitsRepository,
  input: { form: string; userId: string; thing?: string; rule: RateLimit; now: Date; detail: string },
): Promise<void> {
  await enforceRateLimit(rateLimits, { form: input.form, client: userRateKey(input.userId, input.thing), rule: input.rule, now: input.now, detail: input.detail });
}
