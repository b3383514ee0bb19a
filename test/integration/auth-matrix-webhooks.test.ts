// The auth matrix (test/support/auth-matrix.ts) on the routes of lib/routes/webhooks.ts.
import * as webhooks from '../../lib/routes/webhooks';
import { authMatrix } from '../support/auth-matrix';
import { callerRoutes } from '../support/routes';

authMatrix(callerRoutes(webhooks), { guarded: false });
