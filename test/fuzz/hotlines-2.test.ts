// The route fuzzer (test/support/fuzz.ts) on the hotline UI's routes (lib/routes/hotlines.ts), the second of three shares: each route's properties.
import * as hotlines from '../../lib/routes/hotlines';
import { fuzzRoutes } from '../support/fuzz';
import { callerRoutes, share } from '../support/routes';

fuzzRoutes(share(callerRoutes(hotlines), 1, 3), ['properties']);
