// The route fuzzer (test/support/fuzz.ts) on the providers' webhooks (lib/routes/webhooks.ts).
import * as webhooks from '../../lib/routes/webhooks';
import { fuzzRoutes } from '../support/fuzz';
import { callerRoutes } from '../support/routes';

fuzzRoutes(callerRoutes(webhooks));
