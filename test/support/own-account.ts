// Routes whose success deletes the caller's own account (DELETE /v1/me). The suites that send every
// route a valid request give these a caller of their own, so the demo users the other routes use stay.
import { Teardown } from '../../shared/schemas/teardown';
import type { RouteDef } from '../../shared/http/route-def';

export const endsOwnAccount = (r: Pick<RouteDef, 'access' | 'path' | 'response'>): boolean =>
  r.access === 'user' && r.response.body === Teardown && !r.path.includes('{');
