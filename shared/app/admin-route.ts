// The composition of the admin routes: the table's ports and a credential check of their own. They
// have no JWT authorizer on API Gateway (shared/http/route-def.ts `checksBearerInFunction`): their stack
// verifies the portal's access token with the authorizer's checks (./access-tokens.ts), and answers an
// API key with 403 `api-key-not-accepted` without looking it up (shared/http/middleware/credentials.ts);
// the admin permission is then checked as on every admin route (shared/http/middleware/access.ts).
import { bearerCheck, type BearerCredentials } from '../http/middleware/credentials';
import { route as stackRoute } from '../http/route';
import { callerOfAccessToken } from './access-tokens';
import { tablePorts } from './route';

const accessTokenOnly: BearerCredentials = {
  async authenticate(token) {
    const caller = await callerOfAccessToken(token);
    return caller && { caller };
  },
};

/** A handler for an admin manifest entry, composed with the table's ports and the access-token check. */
export const route: typeof stackRoute = (def, impl, ports) => stackRoute(def, impl, { ...tablePorts, credentials: bearerCheck(accessTokenOnly), ...ports });
