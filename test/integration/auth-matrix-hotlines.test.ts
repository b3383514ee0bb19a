// The auth matrix (test/support/auth-matrix.ts) on the routes of lib/routes/hotlines.ts.
import * as hotlines from '../../lib/routes/hotlines';
import { authMatrix } from '../support/auth-matrix';
import { callerRoutes } from '../support/routes';

authMatrix(callerRoutes(hotlines), { guarded: true });
