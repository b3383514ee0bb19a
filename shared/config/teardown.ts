// How long the tombstone of a deleted account is kept: at least as long as an access token issued
// before the deletion can still be presented. Auth0 caps an API's access-token lifetime at 30 days
// (2,592,000 s, the most its "Maximum Access Token Lifetime" setting takes); the local Auth0 emulator
// mints tokens of at most 7 days. A day on top covers clock skew between Auth0 and us.
export const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 2_592_000;
export const TOMBSTONE_SECONDS = MAX_ACCESS_TOKEN_LIFETIME_SECONDS + 86_400;
