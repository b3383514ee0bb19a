// What a function that checks the portal's access tokens itself reads (the routes that take API keys
// and the admin routes: shared/http/route-def.ts `checksBearerInFunction`): the Auth0 tenant whose
// tokens it verifies, with the same issuer and audience as API Gateway's JWT authorizer (stage settings).
import { defineConfig, nonEmpty, url } from './define';

export const accessTokenConfig = /* @__PURE__ */ defineConfig(
  'accessTokens',
  {
    /** The token issuer, `https://<tenant>/` (with its slash, as the tokens carry it). */
    AUTH0_ISSUER: url,
    AUTH0_AUDIENCE: nonEmpty,
  },
  (e) => ({ issuer: e.AUTH0_ISSUER, audience: e.AUTH0_AUDIENCE }),
  {
    AUTH0_ISSUER: 'http://127.0.0.1:4001/',
    AUTH0_AUDIENCE: 'https://api.fonella.local',
  },
);
