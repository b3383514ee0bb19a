// The auth matrix (test/support/auth-matrix.ts) on the routes of lib/routes/me-tools.ts.
import * as meTools from '../../lib/routes/me-tools';
import { authMatrix } from '../support/auth-matrix';
import { callerRoutes } from '../support/routes';

authMatrix(callerRoutes(meTools), { guarded: true });
