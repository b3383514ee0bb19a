// The route fuzzer (test/support/fuzz.ts) on the customer's webhook endpoints (lib/routes/me-webhooks.ts).
import * as meWebhooks from '../../lib/routes/me-webhooks';
import { fuzzRoutes } from '../support/fuzz';
import { callerRoutes } from '../support/routes';

fuzzRoutes(callerRoutes(meWebhooks));
