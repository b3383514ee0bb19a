// The route fuzzer (test/support/fuzz.ts) on the customer portal's routes (lib/routes/me.ts): the bounds of each field.
import * as me from '../../lib/routes/me';
import { fuzzRoutes } from '../support/fuzz';
import { callerRoutes } from '../support/routes';

fuzzRoutes(callerRoutes(me), ['bounds']);
