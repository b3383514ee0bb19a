// The route fuzzer (test/support/fuzz.ts) on the marketing site's routes (lib/routes/public.ts).
import * as publicRoutes from '../../lib/routes/public';
import { fuzzRoutes } from '../support/fuzz';
import { callerRoutes } from '../support/routes';

fuzzRoutes(callerRoutes(publicRoutes));
