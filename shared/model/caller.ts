// Who is calling: the verified caller a route's use case acts for (shared/http/caller.ts reads it
// from the JWT authorizer's claims).
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
}
