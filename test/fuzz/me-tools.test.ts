// The route fuzzer (test/support/fuzz.ts) on the customer's custom tools (lib/routes/me-tools.ts): each route's properties and the bounds of each field.
import * as meTools from '../../lib/routes/me-tools';
import { fuzzRoutes } from '../support/fuzz';
import { callerRoutes } from '../support/routes';

fuzzRoutes(callerRoutes(meTools));
