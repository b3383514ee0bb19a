// The route fuzzer (test/support/fuzz.ts) on the partner portal's routes (lib/routes/partner.ts).
import * as partner from '../../lib/routes/partner';
import { fuzzRoutes } from '../support/fuzz';
import { callerRoutes } from '../support/routes';

fuzzRoutes(callerRoutes(partner));
