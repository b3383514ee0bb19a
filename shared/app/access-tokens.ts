// The verifier of the portal's access tokens for the functions that check them themselves (the routes
// that take API keys, the admin routes): the checks of API Gateway's JWT authorizer
// (shared/crypto/jwt.ts) against the stage's Auth0 tenant, built at its first use (a cold start's first
// request). Only those routes' bundles carry it, and jose with it.
import { accessTokenConfig } from '../config/access-tokens';
import { jwksUrlOf, jwtVerifier, type JwtVerifier } from '../crypto/jwt';
import { callerFromClaims, type Caller } from '../http/caller';

let verifyJwt: JwtVerifier | undefined;

/** The caller a portal access token stands for; undefined when it fails the authorizer's checks. */
export async function callerOfAccessToken(token: string): Promise<Caller | undefined> {
  if (!verifyJwt) {
    const { issuer, audience } = accessTokenConfig();
    verifyJwt = jwtVerifier({ issuer, audience, jwksUrl: jwksUrlOf(issuer) });
  }
  return callerFromClaims(await verifyJwt(token));
}
