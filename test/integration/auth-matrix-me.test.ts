// The auth matrix (test/support/auth-matrix.ts) on the routes of lib/routes/me.ts.
import * as me from '../../lib/routes/me';
import { authMatrix } from '../support/auth-matrix';
import { callerRoutes } from '../support/routes';

authMatrix(callerRoutes(me), { guarded: true, todo: true });
