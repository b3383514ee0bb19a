// The auth matrix (test/support/auth-matrix.ts) on the routes of lib/routes/admin.ts.
import * as admin from '../../lib/routes/admin';
import { authMatrix } from '../support/auth-matrix';
import { callerRoutes } from '../support/routes';

authMatrix(callerRoutes(admin), { guarded: true });
