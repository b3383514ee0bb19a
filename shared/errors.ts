// Typed errors. Each carries its HTTP status and a stable problem `type`; the one mapper in
// shared/http turns them into application/problem+json (RFC 9457). Code throws these and never
// builds an error response itself.

export interface FieldError {
  path: string;
  message: string;
}

export const PROBLEM_BASE = 'urn:fonella:problem:';

export class AppError extends Error {
  readonly status: number;
  /** Stable machine-readable slug, rendered as `urn:fonella:problem:<slug>`. */
  readonly slug: string;
  readonly title: string;
  readonly errors?: FieldError[];
  /** Extra response headers, e.g. Retry-After. */
  readonly headers?: Record<string, string>;

  constructor(
    status: number,
    slug: string,
    title: string,
    detail?: string,
    extra: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail ?? title, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = new.target.name;
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.errors = extra.errors;
    this.headers = extra.headers;
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[], detail = 'The request has invalid fields.') {
    super(400, 'validation', 'Invalid request', detail, { errors });
  }
}

export class BadRequestError extends AppError {
  constructor(slug: string, detail: string) {
    super(400, slug, 'Bad request', detail);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'A valid credential is required.', headers?: Record<string, string>) {
    super(401, 'unauthorized', 'Unauthorized', detail, { headers });
  }
}

/** The bearer challenge of a refused credential (RFC 6750): the token was missing, or is not valid. */
export const bearerChallenge = (error?: 'invalid_token' | 'insufficient_scope', scope?: string) =>
  ({ 'www-authenticate': `Bearer realm="fonella"${error ? `, error="${error}"` : ''}${scope ? `, scope="${scope}"` : ''}` }) as Record<string, string>;

/** A `fon_live_` token that no key has: never issued, or its key was deleted (revocation holds at once). */
export class ApiKeyInvalidError extends AppError {
  constructor() {
    super(401, 'api-key-invalid', 'Unauthorized', 'No API key has this token: it was deleted, or never existed.', { headers: bearerChallenge('invalid_token') });
  }
}

/** The key's `expiresAt` has passed: create another. */
export class ApiKeyExpiredError extends AppError {
  constructor(expiredAt: string) {
    super(401, 'api-key-expired', 'Unauthorized', `This API key expired at ${expiredAt}. Create a new key.`, { headers: bearerChallenge('invalid_token') });
  }
}

/**
 * An API key without a scope it needs: the route's (any one of `scopes`), or, creating or deleting a
 * key, every scope of that key (`detail` says which). The challenge names the scopes (RFC 6750).
 */
export class InsufficientScopeError extends AppError {
  readonly scopes: string[];
  constructor(scopes: readonly string[], detail?: string) {
    const named = scopes.map((s) => `\`${s}\``).join(', ');
    super(403, 'insufficient-scope', 'Forbidden', detail ?? `This route needs an API key with ${scopes.length === 1 ? 'the scope' : 'one of the scopes'} ${named}.`, {
      headers: bearerChallenge('insufficient_scope', scopes.join(' ')),
    });
    this.scopes = [...scopes];
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You may not do this.', slug = 'forbidden') {
    super(403, slug, 'Forbidden', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(detail = 'Not found.', slug = 'not-found') {
    super(404, slug, 'Not found', detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, slug = 'conflict') {
    super(409, slug, 'Conflict', detail);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(413, 'payload-too-large', 'Payload too large', `The body must not exceed ${limit} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor() {
    super(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as application/json in UTF-8.');
  }
}

/** Where a client stands in a rate limit's current window: its size, what is left, the seconds until it ends. */
export interface RateWindowState {
  limit: number;
  remaining: number;
  resetSeconds: number;
  windowSeconds: number;
}

/**
 * The RateLimit-Policy and RateLimit fields of the IETF draft (draft-ietf-httpapi-ratelimit-headers-11:
 * Structured Field lists, the policy named by a String) for one policy in its current window, e.g.
 * `RateLimit-Policy: "per-key";q=120;w=60` and `RateLimit: "per-key";r=0;t=42`.
 */
export const rateLimitFields = (policy: string, s: RateWindowState): Record<string, string> => ({
  'ratelimit-policy': `"${policy}";q=${s.limit};w=${s.windowSeconds}`,
  ratelimit: `"${policy}";r=${s.remaining};t=${s.resetSeconds}`,
});

/** The problem slug of RateLimitedError (a plain constant: the route manifest names it without building an error). */
export const RATE_LIMITED = 'rate-limited';

export class RateLimitedError extends AppError {
  constructor(detail = 'Too many requests.', retryAfterSeconds?: number, headers: Record<string, string> = {}) {
    super(429, RATE_LIMITED, 'Too many requests', detail, {
      headers: retryAfterSeconds === undefined ? headers : { ...headers, 'retry-after': String(retryAfterSeconds) },
    });
  }
}

/** Why a public form's reCAPTCHA check refused it; each is its own problem type, `recaptcha-<reason>`. */
export const RECAPTCHA_REFUSALS = {
  missing: 'No reCAPTCHA token was sent, and one is required.',
  failed: 'The reCAPTCHA token could not be verified (invalid, expired or already used). Get a new token and try again.',
  'action-mismatch': 'The reCAPTCHA token was minted for another form.',
  'low-score': 'reCAPTCHA rated this request as likely automated.',
} as const;
export type RecaptchaRefusal = keyof typeof RECAPTCHA_REFUSALS;

/** A public form's reCAPTCHA check failed: 403 with the reason as the problem type. */
export class RecaptchaRefusedError extends AppError {
  readonly reason: RecaptchaRefusal;
  constructor(reason: RecaptchaRefusal) {
    super(403, `recaptcha-${reason}`, 'Forbidden', RECAPTCHA_REFUSALS[reason]);
    this.reason = reason;
  }
}

/** The same Idempotency-Key came with another request: the key names one request only. */
export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super(
      422,
      'idempotency-key-reused',
      'Idempotency key reused',
      'This Idempotency-Key was used for a different request. Send a new key for a new request.',
    );
  }
}

/** The first request with this Idempotency-Key is still running; its answer is not stored yet. */
export class IdempotencyInProgressError extends AppError {
  constructor(retryAfterSeconds = 1) {
    super(
      409,
      'idempotency-in-progress',
      'Request in progress',
      'A request with this Idempotency-Key is still being processed. Retry shortly to get its answer.',
      { headers: { 'retry-after': String(retryAfterSeconds) } },
    );
  }
}

/**
 * The table did not answer in time (or refused the connection, or throttled, or failed on its side)
 * after the client's bounded retries. The write may still have happened: clients retry with the
 * same Idempotency-Key.
 */
export class TableUnavailableError extends AppError {
  /** What the 503 asks the client to wait. */
  static readonly RETRY_AFTER_SECONDS = 2;
  /** The SDK command that failed (for the log; never shown to the client). */
  readonly operation: string;

  constructor(operation: string, opts: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(503, 'table-unavailable', 'Storage unavailable', 'Our storage did not answer in time. Try again shortly.', {
      cause: opts.cause,
      headers: { 'retry-after': String(opts.retryAfterSeconds ?? TableUnavailableError.RETRY_AFTER_SECONDS) },
    });
    this.operation = operation;
  }
}

/**
 * KMS did not give or open a data key (unreachable, throttled, failing): nothing sealed was stored.
 * A 503 with Retry-After, as for the table; the request can be repeated as it is.
 */
export class KeyServiceUnavailableError extends AppError {
  static readonly RETRY_AFTER_SECONDS = 2;

  constructor(opts: { cause?: unknown } = {}) {
    super(503, 'key-service-unavailable', 'Key service unavailable', 'Our key service did not answer. Nothing was stored; try again shortly.', {
      cause: opts.cause,
      headers: { 'retry-after': String(KeyServiceUnavailableError.RETRY_AFTER_SECONDS) },
    });
  }
}

// --- Provider failures -----------------------------------------------------------------------
// Adapters translate what a provider answers into these. The message names the provider and the
// operation, never a credential or a provider response body.

export type ProviderName = 'vapi' | 'sipgate' | 'fonial' | 'jambonz' | 'stripe' | 'mailgun' | 'auth0' | 'recaptcha';

export type ProviderFailure = 'not-found' | 'conflict' | 'rate-limited' | 'unavailable' | 'rejected';

const FAILURE: Record<ProviderFailure, { status: number; title: string }> = {
  'not-found': { status: 502, title: 'Provider resource not found' },
  conflict: { status: 502, title: 'Provider conflict' },
  'rate-limited': { status: 503, title: 'Provider rate limit reached' },
  unavailable: { status: 502, title: 'Provider unavailable' },
  rejected: { status: 502, title: 'Provider rejected the request' },
};

const providerSlug = (failure: ProviderFailure) => `provider-${failure}`;

/** The problem types of the provider failures answered with `status` (the document lists them). */
export const providerSlugs = (status: number): string[] =>
  (Object.keys(FAILURE) as ProviderFailure[]).filter((f) => FAILURE[f].status === status).map(providerSlug);

export class ProviderError extends AppError {
  readonly provider: ProviderName;
  readonly failure: ProviderFailure;
  readonly operation: string;
  readonly retryAfterSeconds?: number;
  /** The HTTP status the provider answered, when it answered (e.g. to tell a 422 from a 400). */
  readonly providerStatus?: number;

  constructor(
    provider: ProviderName,
    operation: string,
    failure: ProviderFailure,
    opts: { cause?: unknown; retryAfterSeconds?: number; providerStatus?: number } = {},
  ) {
    const { status, title } = FAILURE[failure];
    const detail = `${provider} ${operation}: ${failure}${opts.providerStatus ? ` (HTTP ${opts.providerStatus})` : ''}`;
    super(status, providerSlug(failure), title, detail, {
      cause: opts.cause,
      headers: opts.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(opts.retryAfterSeconds) },
    });
    this.provider = provider;
    this.operation = operation;
    this.failure = failure;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.providerStatus = opts.providerStatus;
  }
}

export class ProviderNotFoundError extends ProviderError {
  constructor(provider: ProviderName, operation: string, opts: { cause?: unknown; providerStatus?: number } = {}) {
    super(provider, operation, 'not-found', opts);
  }
}
export class ProviderConflictError extends ProviderError {
  constructor(provider: ProviderName, operation: string, opts: { cause?: unknown; providerStatus?: number } = {}) {
    super(provider, operation, 'conflict', opts);
  }
}
export class ProviderRateLimitedError extends ProviderError {
  constructor(
    provider: ProviderName,
    operation: string,
    opts: { cause?: unknown; retryAfterSeconds?: number; providerStatus?: number } = {},
  ) {
    super(provider, operation, 'rate-limited', opts);
  }
}
export class ProviderUnavailableError extends ProviderError {
  constructor(provider: ProviderName, operation: string, opts: { cause?: unknown; providerStatus?: number } = {}) {
    super(provider, operation, 'unavailable', opts);
  }
}
export class ProviderRejectedError extends ProviderError {
  constructor(provider: ProviderName, operation: string, opts: { cause?: unknown; providerStatus?: number } = {}) {
    super(provider, operation, 'rejected', opts);
  }
}

/** Maps an HTTP status a provider answered to our typed error (for adapters built on fetch or an SDK). */
export function providerErrorFromStatus(
  provider: ProviderName,
  operation: string,
  status: number,
  opts: { cause?: unknown; retryAfterSeconds?: number } = {},
): ProviderError {
  const o = { ...opts, providerStatus: status };
  if (status === 404) return new ProviderNotFoundError(provider, operation, o);
  if (status === 409) return new ProviderConflictError(provider, operation, o);
  if (status === 429) return new ProviderRateLimitedError(provider, operation, o);
  if (status >= 500 || status === 408) return new ProviderUnavailableError(provider, operation, o);
  return new ProviderRejectedError(provider, operation, o);
}

/** The caller's account is being deleted (a teardown runs): nothing new may be created meanwhile. */
export class AccountBeingDeletedError extends AppError {
  constructor() {
    super(409, 'account-being-deleted', 'Account being deleted', 'This account is being deleted; it accepts no more requests.');
  }
}

/**
 * A write into a user's partition refused by its condition on that user's teardown record
 * (shared/db/teardowns.ts `accountOpenCheck`): the account is being deleted or was deleted, and
 * nothing is written into it.
 */
export class AccountClosedError extends AppError {
  readonly userId: string;
  constructor(userId: string) {
    super(409, 'user-account-deleted', 'Conflict', "That user's account is deleted or being deleted: nothing is written into it.");
    this.userId = userId;
  }
}

/** The caller's account was deleted; a token issued before stays refused until it expires. */
export class AccountDeletedError extends AppError {
  constructor() {
    super(410, 'account-deleted', 'Account deleted', 'This account has been deleted.');
  }
}
