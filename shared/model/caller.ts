// Who is calling: the verified caller a route's use case acts for (shared/http/caller.ts reads it
// from the JWT authorizer's claims, or from the API key the stack verified).
import type { ApiKeyScope } from './api-keys';

export interface Caller {
  id: string;
  email?: string;
  /**
   * Whether Auth0 has verified `email` (its `email_verified`, put on the token by the tenant's Action
   * as `https://fonella.app/email_verified`); false when the token does not say so.
   */
  emailVerified: boolean;
  name?: string;
  permissions: string[];
  isAdmin: boolean;
  /**
   * Present when the caller came with a `fon_live_` API key rather than the portal's token: the key's
   * id and scopes. Such a caller has no permissions (never admin) and no email claim.
   */
  apiKey?: { keyId: string; scopes: ApiKeyScope[] };
}
