// The auth matrix (test/support/auth-matrix.ts) on the routes of lib/routes/public.ts.
import * as publicRoutes from '../../lib/routes/public';
import { authMatrix } from '../support/auth-matrix';
import { callerRoutes } from '../support/routes';

authMatrix(callerRoutes(publicRoutes), { guarded: false });
