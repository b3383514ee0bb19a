// The route fuzzer (test/support/fuzz.ts) on the admin dashboard's routes (lib/routes/admin.ts).
import * as admin from '../../lib/routes/admin';
import { fuzzRoutes } from '../support/fuzz';
import { callerRoutes } from '../support/routes';

fuzzRoutes(callerRoutes(admin));
