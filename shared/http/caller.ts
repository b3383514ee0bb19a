// Who is calling, read from the claims API Gateway's JWT authorizer puts on the event (the authorizer
// has already checked signature, issuer, audience and expiry), or, on the routes that also take API
// keys and the admin routes, from the claims their stack verified with the same checks
// (./middleware/credentials.ts).
//
// Quirk: the HTTP API authorizer flattens array claims into a string such as "[admin read:calls]",
// so `permissions` is parsed from either form; a boolean claim arrives as "true" or "false".
// The address counts as verified only when the token says Auth0 verified it (`email_verified`);
// a token without the claim carries an unverified address.

import type { Caller } from '../model/caller';

export type { Caller };

const CLAIM_NAMESPACE = 'https://fonella.app/';

export function callerFromClaims(claims: Record<string, unknown> | undefined): Caller | undefined {
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0) return undefined;
  const permissions = claimList(claims?.permissions);
  return {
    id: sub,
    email: claimString(claims?.[`${CLAIM_NAMESPACE}email`] ?? claims?.email),
    emailVerified: claimTrue(claims?.[`${CLAIM_NAMESPACE}email_verified`] ?? claims?.email_verified),
    name: claimString(claims?.[`${CLAIM_NAMESPACE}name`] ?? claims?.name),
    permissions,
    isAdmin: permissions.includes('admin'),
  };
}

export function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const inner = value.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner.split(/[\s,]+/).map((s) => s.replace(/^"|"$/g, '')).filter(Boolean);
}

function claimString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** True only for `true` itself or the authorizer's flattened "true". */
function claimTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** The token of `Authorization: Bearer <token>` (the scheme in any case, RFC 7235), or undefined. */
export const bearerToken = (authorization: string | undefined): string | undefined => /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
