// The checks API Gateway's JWT authorizer makes of the portal's Auth0 access token, in one place: the
// local API server applies them where API Gateway would (lib/local/api-server.ts), and the routes that
// also take API keys and the admin routes, which have no authorizer on AWS, apply them in their own
// stack (shared/http/middleware/credentials.ts). So a token passes or fails alike on both paths.
//
// What passes: RS256, a `kid` found in the issuer's JWKS, the issuer and the audience, an `exp` in the
// future, and `nbf` and `iat`, when present, not in the future (jose allows no clock skew for `nbf`
// and `exp` here; `iat` gets 5 seconds). The JWKS is fetched once and cached by jose (refetched for an
// unknown `kid`, at most every 30 s).
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';

export interface JwtSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
}

export type JwtVerifier = (token: string) => Promise<JWTPayload | undefined>;

/** The JWKS of an Auth0 tenant: `<issuer>.well-known/jwks.json` (the issuer ends with a slash). */
export const jwksUrlOf = (issuer: string) => new URL('.well-known/jwks.json', issuer.endsWith('/') ? issuer : `${issuer}/`).href;

/** A verifier of bearer JWTs for `settings`: the claims of a token the authorizer would let through, else undefined. */
export function jwtVerifier(settings: JwtSettings): JwtVerifier {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl));
  return async (token) => {
    try {
      if (!decodeProtectedHeader(token).kid) return undefined;
      const { payload } = await jwtVerify(token, jwks, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ['RS256'],
        requiredClaims: ['exp'],
      });
      if (payload.iat !== undefined && payload.iat > Math.floor(Date.now() / 1000) + 5) return undefined;
      return payload;
    } catch {
      return undefined;
    }
  };
}
