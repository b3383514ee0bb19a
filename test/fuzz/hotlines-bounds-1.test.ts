// The route fuzzer (test/support/fuzz.ts) on the hotline UI's routes (lib/routes/hotlines.ts), the first of two shares: the bounds of each field.
import * as hotlines from '../../lib/routes/hotlines';
import { fuzzRoutes } from '../support/fuzz';
import { callerRoutes, share } from '../support/routes';

fuzzRoutes(share(callerRoutes(hotlines), 0, 2), ['bounds']);
