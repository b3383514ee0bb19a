// What every public form checks before it writes, in this order (after the route stack validated the
// body): that a person sent it (reCAPTCHA v3), then that its sender is within the form's rate limit.
// The rate limit counts only requests that passed the first check, so a bot's refused tokens do not
// use up the limit of the address it shares with people (an office behind one NAT). The same limit
// counts what a signed-in user makes Fonella email (./user-rate-limits.ts).
import type { RateLimit } from '../config/rate-limits';
import type { RateLimitsRepository } from '../db/rate-limits';
import { RateLimitedError, RecaptchaRefusedError, rateLimitFields, type RateWindowState, type RecaptchaRefusal } from '../errors';
import { clientKey } from '../net/client-key';
import { logger } from '../observability/logger';
import type { HumanCheck, HumanCheckResult } from '../providers/recaptcha/port';

/**
 * Verifies the form's reCAPTCHA token for the action that form mints it with; throws 403
 * `recaptcha-<reason>` when it does not pass. A missing token passes only where configuration lets it
 * (the local stack); the port decides that.
 */
export async function requireHuman(
  check: HumanCheck,
  input: { token: string | undefined; expectedAction: string; remoteIp?: string },
): Promise<void> {
  const result = await check.verify(input);
  if (result.ok) return;
  const reason = refusalOf(result);
  // The reasons and the score, never the token.
  logger.info('recaptcha refused', { expectedAction: input.expectedAction, reason, reasons: result.reasons, score: result.score, action: result.action });
  throw new RecaptchaRefusedError(reason);
}

/** The one reason a refusal is answered with: what the client can act on first. */
export function refusalOf(result: Pick<HumanCheckResult, 'reasons'>): RecaptchaRefusal {
  const { reasons } = result;
  if (reasons.includes('token-missing')) return 'missing';
  // Anything the provider itself said (invalid, expired, duplicate, not verified) outranks our own checks.
  if (reasons.some((r) => r !== 'action-mismatch' && r !== 'low-score')) return 'failed';
  if (reasons.includes('action-mismatch')) return 'action-mismatch';
  if (reasons.includes('low-score')) return 'low-score';
  return 'failed';
}

/**
 * Counts the request against `form`'s limit for this client (its address, or a `client` key the form
 * chose, such as a hashed email address) in the current window (fixed windows,
 * aligned to the clock); throws 429 `rate-limited` with Retry-After (seconds until the window ends)
 * when the window is full, writing nothing. Answers where the client stands in the window; a `policy`
 * name puts the IETF draft's RateLimit fields on the refusal too (`rateLimitFields`).
 */
export async function enforceRateLimit(
  rateLimits: RateLimitsRepository,
  input: ({ form: string; sourceIp: string; rule: RateLimit; now: Date } | { form: string; client: string; rule: RateLimit; now: Date }) & {
    /** What the refusal says before "Try again in N seconds." (else: too many submissions of this form from the address). */
    detail?: string;
    policy?: string;
  },
): Promise<RateWindowState> {
  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  const windowStart = nowSeconds - (nowSeconds % input.rule.windowSeconds);
  const windowEnd = windowStart + input.rule.windowSeconds;
  // An IPv6 client by its /64 (shared/net/client-key.ts).
  const client = 'client' in input ? input.client : clientKey(input.sourceIp);
  const hits = await rateLimits.hit({ form: input.form, client, windowStart, windowEnd }, input.rule.limit);
  const state = { limit: input.rule.limit, remaining: Math.max(0, input.rule.limit - (hits ?? input.rule.limit)), resetSeconds: windowEnd - nowSeconds, windowSeconds: input.rule.windowSeconds };
  if (hits !== undefined) return state;
  const retryAfter = Math.max(1, windowEnd - nowSeconds);
  logger.info('rate limit reached', { form: input.form, limit: input.rule.limit, retryAfterSeconds: retryAfter });
  throw new RateLimitedError(
    `${input.detail ?? 'Too many submissions of this form from your address.'} Try again in ${retryAfter} seconds.`,
    retryAfter,
    input.policy ? rateLimitFields(input.policy, { ...state, resetSeconds: retryAfter }) : {},
  );
}
