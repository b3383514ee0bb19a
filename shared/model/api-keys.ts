// The developer API's keys, in words every layer shares: what a key may do (its scopes), what its
// token looks like, and the bounds the product states (ten keys an account, a year at most).
//
// A token is `fon_live_` and 43 base62 characters: 32 random bytes, 256 bits. Its first 16
// characters (`fon_live_` and 7 more) are its prefix, the only part shown again after creation.

/** What a key may reach; a route names those it accepts (`apiKeyScopes` in the route manifest). */
export const API_KEY_SCOPES = ['webhooks:manage', 'calls:read', 'tools:manage'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_TOKEN_PREFIX = 'fon_live_';
/** The characters of a token after `fon_live_`: 32 bytes in base62 (62^43 > 2^256). */
export const API_KEY_TOKEN_BODY_LENGTH = 43;
/** The characters of a token shown in listings: `fon_live_` and the first 7 of its random part. */
export const API_KEY_PREFIX_LENGTH = 16;

/** Keys one account may hold at once (the product's documented maximum). */
export const API_KEYS_PER_ACCOUNT = 10;
/** The furthest an `expiresAt` may lie ahead: 365 days. */
export const API_KEY_MAX_LIFETIME_DAYS = 365;
/** `lastUsedAt` moves at most once in this many seconds per key (one write a minute, not one a request). */
export const API_KEY_LAST_USED_RESOLUTION_SECONDS = 60;
/** The window of the per-key request rate: one minute, aligned to the clock. */
export const API_KEY_RATE_WINDOW_SECONDS = 60;

/** The scopes of `wanted` that `held` lacks (none: `held` covers `wanted`). */
export const scopesMissing = (wanted: readonly ApiKeyScope[], held: readonly ApiKeyScope[]): ApiKeyScope[] => wanted.filter((s) => !held.includes(s));
