// The composition of the routes that take API keys as well as the portal's token (`apiKeyScopes` in
// the manifest): the table's ports and the credential check their stack asks (shared/http/middleware/
// credentials.ts). A `fon_live_` token is checked by the use case (its key looked up by hash, its
// expiry, its per-key rate); any other bearer token must be a JWT that passes the checks API Gateway's
// JWT authorizer makes, against the stage's Auth0 tenant (./access-tokens.ts).
import { apiKeyConfig } from '../config/api-keys';
import { API_KEY_RATE_WINDOW_SECONDS } from '../model/api-keys';
import { isApiKeyToken } from '../crypto/api-key-tokens';
import { apiKeysRepository } from '../db/api-keys';
import { table } from '../db/client';
import { rateLimitsRepository } from '../db/rate-limits';
import { API_KEY_RATE_POLICY, authenticateApiKey, type ApiKeyAuthDeps } from '../domain/api-keys';
import { bearerCheck, type BearerCredentials } from '../http/middleware/credentials';
import { route as stackRoute } from '../http/route';
import { callerOfAccessToken } from './access-tokens';
import { tablePorts } from './route';

let keyDeps: ApiKeyAuthDeps | undefined;

/** The bearer check, built at its first use (a cold start's first request) from the function's config. */
export const bearerCredentials: BearerCredentials = {
  async authenticate(token) {
    if (isApiKeyToken(token)) {
      const config = apiKeyConfig();
      keyDeps ??= {
        keys: apiKeysRepository(table()),
        rateLimits: rateLimitsRepository(table()),
        rateLimit: { limit: config.requestsPerMinute, windowSeconds: API_KEY_RATE_WINDOW_SECONDS },
      };
      return { ...(await authenticateApiKey(keyDeps, token)), ratePolicy: API_KEY_RATE_POLICY };
    }
    const caller = await callerOfAccessToken(token);
    return caller && { caller };
  },
};

/** A handler for a manifest entry that takes API keys, composed with the table's ports and the bearer check. */
export const route: typeof stackRoute = (def, impl, ports) => stackRoute(def, impl, { ...tablePorts, credentials: bearerCheck(bearerCredentials), ...ports });
