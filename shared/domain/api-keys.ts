// The developer API's keys (`Authorization: Bearer fon_live_…`): made, listed and deleted by their
// owner, with the portal's token or with a key, and checked on every request that brings one.
//
// createApiKey — POST /v1/me/api-keys
//   input: the caller (a portal token holds every scope; a key its own), `name`, `scopes` (every scope
//   when left out), `expiresAt` (optional).
//   1. a key creates only keys with scopes it has itself: else 403 `insufficient-scope` naming the others;
//   2. `expiresAt` must lie ahead, at most 365 days: else 400 `api-key-expiry-invalid`;
//   3. a token of 256 random bits; its hash and prefix stored with the key, counted on the account in
//      one transaction (the 11th key: 409 `quota-api-keys`, nothing written).
//   output: the key, and this once its token.
// listApiKeys — GET /v1/me/api-keys: the keys, newest first, by prefix (never a token).
// deleteApiKey — DELETE /v1/me/api-keys/{keyId}: both items go at once (404 `api-key-not-found` when
//   the account has no such key); a key deletes only keys whose scopes it has itself (no key can
//   switch off an integration it could not have made).
// authenticateApiKey — what the request stack asks of a `fon_live_` token (shared/app/key-route.ts):
//   1. a token of our shape whose hash names a key (one strongly consistent GetItem): else 401
//      `api-key-invalid`; its `expiresAt` not passed: else 401 `api-key-expired`;
//   2. counted against the key's requests per minute (the table's rate counters, as the public forms'):
//      over it, 429 `rate-limited` with Retry-After and the RateLimit fields; beside it, `lastUsedAt`
//      moved when it is a minute old;
//   output: the caller (the key's owner, with the key's id and scopes) and where the key stands in
//   its minute. The route's scope and the account's state are the stack's to check next.
import { randomUUID } from 'node:crypto';
import type { RateLimit } from '../config/rate-limits';
import { isWellFormedApiKeyToken, hashApiKeyToken, newApiKeyToken } from '../crypto/api-key-tokens';
import type { ApiKeyRow, ApiKeysRepository } from '../db/api-keys';
import type { RateLimitsRepository } from '../db/rate-limits';
import { ApiKeyExpiredError, ApiKeyInvalidError, AppError, InsufficientScopeError, NotFoundError, type RateWindowState } from '../errors';
import {
  API_KEY_LAST_USED_RESOLUTION_SECONDS,
  API_KEY_MAX_LIFETIME_DAYS,
  API_KEY_SCOPES,
  API_KEYS_PER_ACCOUNT,
  scopesMissing,
  type ApiKeyScope,
} from '../model/api-keys';
import type { Caller } from '../model/caller';
import { inOpenAccount } from './account-state';
import { enforceRateLimit } from './public-form-guards';
import { QuotaExceededError } from './quotas';

/** The problem type of a bad `expiresAt`; the route manifest names it. */
export const API_KEY_EXPIRY_INVALID = 'api-key-expiry-invalid';
/** The problem type of a key id the account does not have. */
export const API_KEY_NOT_FOUND = 'api-key-not-found';
/** The name of the per-key rate limit in the RateLimit fields. */
export const API_KEY_RATE_POLICY = 'per-key';

const DAY_MS = 86_400_000;

class ApiKeyExpiryInvalidError extends AppError {
  constructor(detail: string) {
    super(400, API_KEY_EXPIRY_INVALID, 'Invalid request', detail, { errors: [{ path: 'body.expiresAt', message: detail }] });
  }
}

/** The scopes a caller holds: a key's own, or every scope for the portal's token. */
export const scopesOf = (caller: Caller): readonly ApiKeyScope[] => caller.apiKey?.scopes ?? API_KEY_SCOPES;

/** Refuses a key caller that lacks one of `scopes` (the scopes of a key it creates or deletes). */
function assertHolds(caller: Caller, scopes: readonly ApiKeyScope[], doing: string): void {
  const missing = scopesMissing(scopes, scopesOf(caller));
  if (missing.length > 0) {
    throw new InsufficientScopeError(missing, `An API key can ${doing} only keys with scopes it has itself; this one lacks ${missing.map((s) => `\`${s}\``).join(', ')}.`);
  }
}

export interface ApiKeyDeps {
  keys: ApiKeysRepository;
  now?: () => Date;
}

export interface CreatedApiKey extends ApiKeyRow {
  /** The whole token: in this answer only. */
  token: string;
}

export async function createApiKey(
  deps: ApiKeyDeps,
  caller: Caller,
  input: { name: string; scopes?: ApiKeyScope[]; expiresAt?: string },
): Promise<CreatedApiKey> {
  const now = deps.now?.() ?? new Date();
  const scopes = API_KEY_SCOPES.filter((s) => (input.scopes ?? API_KEY_SCOPES).includes(s));
  assertHolds(caller, scopes, 'create');
  let expiresAt: string | null = null;
  if (input.expiresAt !== undefined) {
    const at = new Date(input.expiresAt);
    if (at.getTime() <= now.getTime()) throw new ApiKeyExpiryInvalidError('`expiresAt` must lie in the future.');
    if (at.getTime() > now.getTime() + API_KEY_MAX_LIFETIME_DAYS * DAY_MS) {
      throw new ApiKeyExpiryInvalidError(`\`expiresAt\` may lie at most ${API_KEY_MAX_LIFETIME_DAYS} days ahead.`);
    }
    expiresAt = at.toISOString();
  }
  const { token, hash, prefix } = newApiKeyToken();
  const key = { keyId: randomUUID(), name: input.name, prefix, scopes, createdAt: now.toISOString(), expiresAt };
  const outcome = await inOpenAccount(caller.id, deps.keys.create(caller.id, key, hash, API_KEYS_PER_ACCOUNT));
  if (outcome === 'over-quota') throw new QuotaExceededError('apiKeys', API_KEYS_PER_ACCOUNT);
  return { ...key, lastUsedAt: null, token };
}

export async function listApiKeys(deps: ApiKeyDeps, userId: string): Promise<{ items: ApiKeyRow[] }> {
  return { items: await deps.keys.list(userId) };
}

export async function deleteApiKey(deps: ApiKeyDeps, caller: Caller, keyId: string): Promise<void> {
  const key = await deps.keys.get(caller.id, keyId);
  if (!key) throw new NotFoundError('The account has no API key with this id.', API_KEY_NOT_FOUND);
  assertHolds(caller, key.scopes, 'delete');
  if (!(await deps.keys.remove(caller.id, key))) throw new NotFoundError('The account has no API key with this id.', API_KEY_NOT_FOUND);
}

export interface ApiKeyAuthDeps {
  keys: ApiKeysRepository;
  rateLimits: RateLimitsRepository;
  /** Requests one key may make per window. */
  rateLimit: RateLimit;
  now?: () => Date;
}

export async function authenticateApiKey(deps: ApiKeyAuthDeps, token: string): Promise<{ caller: Caller; rate: RateWindowState }> {
  const now = deps.now?.() ?? new Date();
  const hash = hashApiKeyToken(token);
  const key = isWellFormedApiKeyToken(token) ? await deps.keys.lookup(hash) : undefined;
  if (!key) throw new ApiKeyInvalidError();
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime()) throw new ApiKeyExpiredError(key.expiresAt);
  const staleBefore = new Date(now.getTime() - API_KEY_LAST_USED_RESOLUTION_SECONDS * 1000).toISOString();
  const stale = key.lastUsedAt === null || key.lastUsedAt < staleBefore;
  const [rate] = await Promise.all([
    enforceRateLimit(deps.rateLimits, {
      form: 'api-key',
      client: key.keyId,
      rule: deps.rateLimit,
      now,
      policy: API_KEY_RATE_POLICY,
      detail: 'This API key made more requests this minute than its limit allows.',
    }),
    // At most one write a minute per key: only a stale mark is moved, and a lost race is no error.
    stale ? deps.keys.touch(hash, now.toISOString(), staleBefore) : undefined,
  ]);
  return {
    caller: { id: key.userId, emailVerified: false, permissions: [], isAdmin: false, apiKey: { keyId: key.keyId, scopes: key.scopes } },
    rate,
  };
}
