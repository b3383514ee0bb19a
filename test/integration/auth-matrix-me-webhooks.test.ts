// The auth matrix (test/support/auth-matrix.ts) on the routes of lib/routes/me-webhooks.ts. Another
// account's endpoint answering 404 as a missing one is in test/integration/webhooks.test.ts.
import * as meWebhooks from '../../lib/routes/me-webhooks';
import { authMatrix } from '../support/auth-matrix';
import { callerRoutes } from '../support/routes';

authMatrix(callerRoutes(meWebhooks), { guarded: true });
