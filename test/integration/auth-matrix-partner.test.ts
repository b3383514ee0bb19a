// The auth matrix (test/support/auth-matrix.ts) on the routes of lib/routes/partner.ts.
import * as partner from '../../lib/routes/partner';
import { authMatrix } from '../support/auth-matrix';
import { callerRoutes } from '../support/routes';

authMatrix(callerRoutes(partner), { guarded: true });
