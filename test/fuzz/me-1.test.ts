// The route fuzzer (test/support/fuzz.ts) on the customer portal's routes (lib/routes/me.ts), the first of two shares: each route's properties.
import * as me from '../../lib/routes/me';
import { fuzzRoutes } from '../support/fuzz';
import { callerRoutes, share } from '../support/routes';

fuzzRoutes(share(callerRoutes(me), 0, 2), ['properties']);
