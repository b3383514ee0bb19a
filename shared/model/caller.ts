// Who is calling: the verified caller a route's use case acts for (shared/http/caller.ts reads it
// from the JWT authorizer's claims).
export interface Caller {
  id: string;
  email?: string;
  name?: string;
  permissions: string[];
  isAdmin: boolean;
}
